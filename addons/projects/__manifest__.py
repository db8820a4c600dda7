{
    "name": "Projects",
    "version": "1.0",
    "summary": "Project templates, projects whose tasks are the responsible users' activities, plan vs fact.",
    "depends": ["crm"],
    "category": "Projects",
    "license": "LGPL-3",
    "data": [
        "data/projects_security_data.yaml",
        "data/projects_print_form_data.yaml",
    ],
    "demo": [],
    "application": True,
}
