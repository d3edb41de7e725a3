"""The workforce plan: roles, capacity, skills, gaps and the actions that close them."""
