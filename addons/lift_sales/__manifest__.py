{
    "name": "ALTIS-LIFT sales to projects",
    "version": "1.0",
    "summary": "Case 3 (ALTIS-LIFT): the lift sale's stages, a project made from a template once the advance is paid, "
               "and the 'no client without a planned activity' dashboard.",
    "depends": ["sales", "projects"],
    "category": "Sales",
    "license": "LGPL-3",
    "data": [
        "data/lift_sales_stage_data.yaml",
        "data/lift_sales_project_template_data.yaml",
        "data/lift_sales_process_data.yaml",
        "data/lift_sales_dashboard_data.yaml",
    ],
    "demo": [
        "demo/lift_sales_demo.yaml",
    ],
}
