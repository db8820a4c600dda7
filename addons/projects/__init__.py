"""Projects: templates of ordered tasks, projects created from them, plan vs fact of every task."""
