{
    "name": "Tenders",
    "version": "1.0",
    "summary": "Tenders with price monitoring and the initial maximum price, the result that closes the sale, "
               "and the implementation of a won tender: its project and its pool of contracts (TECHNAB).",
    "depends": ["contracts", "projects"],
    "category": "Sales",
    "license": "LGPL-3",
    "data": [
        "data/tenders_stage_data.yaml",
        "data/tenders_project_template_data.yaml",
        "data/tenders_process_data.yaml",
        "data/tenders_security_data.yaml",
        "data/tenders_print_form_data.yaml",
        "data/tenders_dashboard_data.yaml",
    ],
    "demo": [
        "demo/tenders_demo.yaml",
    ],
    "application": True,
}
