{
    "name": "Sales",
    "version": "1.0",
    "summary": "Leads with one-click qualification, opportunities with product lines, a product catalogue and stage sets.",
    "depends": ["crm"],
    "category": "Sales",
    "license": "LGPL-3",
    "data": [
        "data/sales_stage_data.yaml",
        "data/sales_reason_data.yaml",
        "data/sales_product_category_data.yaml",
        "data/sales_product_unit_data.yaml",
        "data/sales_print_form_data.yaml",
        "data/sales_dashboards_data.yaml",
        "data/sales_process_data.yaml",
        "data/sales_security_data.yaml",
    ],
    "demo": [
        "demo/sales_product_demo.yaml",
        "demo/sales_lead_demo.yaml",
        "demo/sales_opportunity_demo.yaml",
    ],
    "application": True,
}
