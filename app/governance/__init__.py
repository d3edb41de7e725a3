"""Governance boards: rubrics, reviews, scoring, meetings, decisions and plan adoption."""
