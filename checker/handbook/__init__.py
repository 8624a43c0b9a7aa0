"""The handbook (测评体系): pack model, strict YAML loading, validation, spreadsheet import/export."""
