"""Generated evidence: blank templates (填报模板) and a synthetic sample round for a fictional district."""
