{
    "name": "CRM",
    "version": "1.0",
    "summary": "Accounts, contacts and activities (tasks, calls, meetings, emails) with the lookups they use.",
    "depends": [],
    "category": "Sales",
    "license": "LGPL-3",
    "data": [
        "data/crm_industry_data.yaml",
        "data/crm_account_type_data.yaml",
        "data/crm_activity_type_data.yaml",
        "data/crm_activity_result_data.yaml",
        "data/crm_security_data.yaml",
        "data/crm_dashboard_data.yaml",
    ],
    "demo": [
        "demo/crm_account_demo.yaml",
        "demo/crm_contact_demo.yaml",
        "demo/crm_activity_demo.yaml",
    ],
    "application": True,
}
