"""The handbook model (测评体系 / 操作手册): frozen pydantic models of a criteria pack.

Hierarchy: Ⅰ 测评项目 (Project) → Ⅱ 指标 (Indicator) → Ⅲ 测评内容 (Content) → 测评标准 (Standard).
The standard is the scoring unit. Each standard carries exactly one method block that matches its
``method``: ``field`` 实地考察, ``document`` 材料审核/网上申报, ``survey`` 问卷调查, ``data`` 数据指标.

Structural rules (types, unknown keys, negative points) live here; cross-references (unknown site
types or departments, duplicate codes, method blocks, weights adding up) are checked by
:mod:`checker.handbook.validate`, which reports every problem of a pack at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Method = Literal["field", "document", "survey", "data"]
METHODS: tuple[Method, ...] = ("field", "document", "survey", "data")

# Chinese names of the methods, as the handbook spreadsheet writes them (测评方法).
METHOD_LABELS_ZH: dict[str, str] = {
    "field": "实地考察",
    "document": "材料审核",
    "survey": "问卷调查",
    "data": "数据指标",
}

MaterialKind = Literal["regulation", "explanation", "photo", "table", "record"]
# 规范文件 / 情况说明 / 实景图片 / 统计表格 / 工作台账
MATERIAL_KIND_LABELS_ZH: dict[str, str] = {
    "regulation": "规范文件",
    "explanation": "情况说明",
    "photo": "实景图片",
    "table": "统计表格",
    "record": "工作台账",
}

Grade = Literal["A", "B", "C", "C#"]
GRADES: tuple[Grade, ...] = ("A", "B", "C", "C#")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class Thresholds(_Frozen):
    """Grade thresholds on a count of problems (cases, missing materials): A ≤ a, B ≤ b, C ≤ c, else C#."""

    a: int = Field(0, ge=0)
    b: int = Field(1, ge=0)
    c: int = Field(2, ge=0)


class Bands(_Frozen):
    """Shortfall bands for rates and indicators, as a fraction of the target.

    At or beyond the target → A; shortfall ≤ b → B; ≤ c → C; else C#.
    """

    b: float = Field(0.05, ge=0)
    c: float = Field(0.10, ge=0)


class GradeShares(_Frozen):
    """Share of a standard's points earned by each grade (A 1.0, B 0.66, C 0.33, C# 0)."""

    A: float = Field(1.0, ge=0, le=1)
    B: float = Field(0.66, ge=0, le=1)
    C: float = Field(0.33, ge=0, le=1)
    C_sharp: float = Field(0.0, ge=0, le=1, alias="C#")

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def share(self, grade: str) -> float:
        return {"A": self.A, "B": self.B, "C": self.C, "C#": self.C_sharp}[grade]


class MethodWeights(_Frozen):
    """Weight of each method in the total (网上申报/材料 40, 实地 40, 问卷 20); data counts under documents."""

    document: float = Field(40, ge=0)
    field: float = Field(40, ge=0)
    survey: float = Field(20, ge=0)

    def for_method(self, method: str) -> float:
        return self.document if method in ("document", "data") else getattr(self, method)


class DocumentWindow(_Frozen):
    """The window a material's date must fall in: ``months`` months ending ``end_offset_months`` before the test."""

    months: int = Field(12, ge=1)
    end_offset_months: int = Field(1, ge=0)


class Deadlines(_Frozen):
    """Default rectification deadlines (整改时限), in days after the check."""

    field: int = Field(7, ge=0)
    document: int = Field(15, ge=0)
    survey: int = Field(30, ge=0)
    data: int = Field(30, ge=0)


class SiteType(_Frozen):
    """A kind of inspection site (点位类型), e.g. 农贸市场."""

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    sample: int = Field(
        ge=1, description="Default number of sites of this type the assessors draw (抽查数量)."
    )
    local_setting: bool = Field(
        False, description="True when the number is a local choice, not a public fact."
    )
    description: str = ""


class Department(_Frozen):
    """A responsible unit (责任单位) or lead unit (牵头单位)."""

    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    short: str = ""


class NegativeItem(_Frozen):
    """An entry of the negative list (负面清单)."""

    code: str = Field(min_length=1)
    text: str = Field(min_length=1)
    deduction: float = Field(0, ge=0, description="Points deducted from the total per event.")
    veto: bool = Field(False, description="An event in the look-back vetoes the application (一票否决).")
    lookback_months: int = Field(12, ge=1)
    lead: str | None = None


class FieldSpec(_Frozen):
    """实地考察: which site types a standard applies to and how many the assessors draw."""

    site_types: tuple[str, ...] = Field(min_length=1)
    sample: int | None = Field(
        None, ge=1, description="Sites drawn per site type; overrides the types' defaults."
    )
    case_definition: str = Field("", description="What counts as one case (一处/一例).")


class Material(_Frozen):
    """One required material (要求材料) of a document standard."""

    name: str = Field(min_length=1)
    kind: MaterialKind = "regulation"


class DocumentSpec(_Frozen):
    """材料审核 / 网上申报: the materials that must be submitted inside the window."""

    materials: tuple[Material, ...] = Field(min_length=1)


class SurveySpec(_Frozen):
    """问卷调查: the question (题号 as the survey sheets number it) and the target rate."""

    question: str = Field(
        min_length=1, description="Question id as written in survey sheets (题号), e.g. Q03."
    )
    text: str = Field(min_length=1)
    target: float = Field(gt=0, le=1)
    bands: Bands | None = None


class DataSpec(_Frozen):
    """数据指标: one indicator, or the ratio numerator / denominator × scale, against a target."""

    indicator: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    scale: float = Field(1.0, gt=0)
    unit: str = ""
    direction: Literal[">=", "<="] = ">="
    target: float = Field(ge=0)
    bands: Bands | None = None
    local_setting: bool = False


class Standard(_Frozen):
    """测评标准: the scoring unit."""

    code: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    text: str = Field(min_length=1)
    points: float = Field(gt=0, description="分值")
    method: Method
    lead: str = Field(min_length=1, description="牵头单位")
    responsible: tuple[str, ...] = Field((), description="责任单位")
    advice: str = Field(min_length=1, description="整改建议")
    binary: bool = False
    grades: Thresholds | None = None
    field: FieldSpec | None = None
    document: DocumentSpec | None = None
    survey: SurveySpec | None = None
    data: DataSpec | None = None

    @property
    def departments(self) -> tuple[str, ...]:
        """Lead first, then responsible units, without repeats."""
        return tuple(dict.fromkeys((self.lead, *self.responsible)))


class Content(_Frozen):
    """Ⅲ 测评内容."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    standards: tuple[Standard, ...] = Field(min_length=1)


class Indicator(_Frozen):
    """Ⅱ 指标."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    contents: tuple[Content, ...] = Field(min_length=1)


class Project(_Frozen):
    """Ⅰ 测评项目."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class PlanCosts(_Frozen):
    """What one fix costs the plan (整改计划), per kind, relative to each other: a site fix, one missing
    material, raising a survey rate, raising an indicator. The plan takes the most points per unit of cost
    first, so a dearer kind is chosen only when it is worth more. A local setting: the office's own view."""

    field: float = Field(1.0, gt=0)
    document: float = Field(1.0, gt=0)
    survey: float = Field(1.0, gt=0)
    data: float = Field(1.0, gt=0)


class CycleWeights(_Frozen):
    """Weight of each year's annual result in the score of a three-year 创建周期, in per cent of the cycle
    (year 1, 2, 3 of the cycle; 15/25/60 in published 测评 practice). Written as ``{1: 15, 2: 25, 3: 60}``.
    A local setting: replace it with the weights of your own 操作手册."""

    year1: float = Field(15, ge=0, alias="1")
    year2: float = Field(25, ge=0, alias="2")
    year3: float = Field(60, ge=0, alias="3")
    local_setting: bool = True

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _year_keys(cls, data: Any) -> Any:
        """YAML reads ``1:`` as an integer key; the fields are named by the year's number as text."""
        if isinstance(data, dict):
            return {
                str(k) if isinstance(k, int) and not isinstance(k, bool) else k: v for k, v in data.items()
            }
        return data

    @model_validator(mode="after")
    def _some_weight(self) -> CycleWeights:
        if self.year1 + self.year2 + self.year3 <= 0:
            raise ValueError("the cycle weights add up to 0; give at least one year a weight")
        return self

    def weights(self) -> dict[int, float]:
        """Year of the cycle (1, 2, 3) → weight."""
        return {1: self.year1, 2: self.year2, 3: self.year3}


class Settings(_Frozen):
    """Pack-level scoring settings."""

    method_weights: MethodWeights = MethodWeights()
    grade_shares: GradeShares = GradeShares()
    thresholds: Thresholds = Thresholds()
    bands: Bands = Bands()
    document_window: DocumentWindow = DocumentWindow()
    survey_min_sample: int = Field(400, ge=1)
    deadlines: Deadlines = Deadlines()
    total_points: float = Field(100, gt=0, description="The scale of the weighted total.")
    plan_costs: PlanCosts = PlanCosts()
    cycle_weights: CycleWeights = CycleWeights()


class Handbook(_Frozen):
    """A whole criteria pack."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str = Field(min_length=1)
    edition: str = Field(min_length=1)
    description: str = Field(min_length=1, description="What the pack is, and where it comes from.")
    source: str = Field(min_length=1, description="An honest statement of the pack's sources.")
    schema_version: Literal[1] = 1
    settings: Settings = Settings()
    site_types: tuple[SiteType, ...] = ()
    departments: tuple[Department, ...] = Field(min_length=1)
    negative_list: tuple[NegativeItem, ...] = ()
    projects: tuple[Project, ...] = Field(min_length=1)

    # -- navigation -----------------------------------------------------------------------------
    def iter_standards(self) -> Iterator[tuple[Project, Indicator, Content, Standard]]:
        for project in self.projects:
            for indicator in project.indicators:
                for content in indicator.contents:
                    for standard in content.standards:
                        yield project, indicator, content, standard

    @property
    def standards(self) -> tuple[Standard, ...]:
        return tuple(s for *_, s in self.iter_standards())

    def standard(self, code: str) -> Standard:
        """The standard with this code or alias; KeyError when there is none."""
        index = self.code_index()
        return index[code]

    def code_index(self) -> dict[str, Standard]:
        """Every code and alias → its standard."""
        index: dict[str, Standard] = {}
        for s in self.standards:
            index[s.code] = s
            for alias in s.aliases:
                index.setdefault(alias, s)
        return index

    def site_type_index(self) -> dict[str, str]:
        """Every site-type name and alias → the canonical name."""
        index: dict[str, str] = {}
        for t in self.site_types:
            index[t.name] = t.name
            for alias in t.aliases:
                index.setdefault(alias, t.name)
        return index

    def department_index(self) -> dict[str, str]:
        """Every department name, short name and alias → the canonical name."""
        index: dict[str, str] = {}
        for d in self.departments:
            index[d.name] = d.name
            for alias in (*d.aliases, d.short):
                if alias:
                    index.setdefault(alias, d.name)
        return index

    def site_type(self, name: str) -> SiteType:
        for t in self.site_types:
            if t.name == name:
                return t
        raise KeyError(name)

    def negative_index(self) -> dict[str, NegativeItem]:
        return {n.code: n for n in self.negative_list}

    def sample_size(self, standard: Standard, site_type: str) -> int:
        """Sites of one type the assessors draw for a field standard (the draw is stratified by site type).

        The standard's own ``field.sample`` wins; otherwise the site type's default sample.
        """
        spec = standard.field
        if spec is None:
            raise ValueError(f"{standard.code} is not a field standard")
        if spec.sample is not None:
            return spec.sample
        return self.site_type(site_type).sample
