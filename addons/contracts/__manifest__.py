{
    "name": "Contracts",
    "version": "1.0",
    "summary": "Contracts with customers and suppliers, planned payments, invoices, payments and the budget they make.",
    "depends": ["sales"],
    "category": "Sales",
    "license": "LGPL-3",
    "data": [
        "data/contracts_stage_data.yaml",
        "data/contracts_sequence_data.yaml",
        "data/contracts_security_data.yaml",
        "data/contracts_process_data.yaml",
        "data/contracts_dashboards_data.yaml",
        "data/contracts_print_form_data.yaml",
    ],
    "demo": [
        "demo/contracts_contract_demo.yaml",
    ],
    "application": True,
}
