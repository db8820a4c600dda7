{
    "name": "Marketing",
    "version": "1.0",
    "summary": "Campaigns on leads (the lead a mailing or landing page brought), and the marketing role's rights.",
    "depends": ["sales"],
    "category": "Marketing",
    "license": "LGPL-3",
    "data": [
        "data/marketing_security_data.yaml",
    ],
    "demo": [
        "demo/marketing_demo.yaml",
    ],
}
