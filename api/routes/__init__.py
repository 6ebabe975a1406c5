"""The API's endpoints, one module per family (leads, activity, bookings, ledger, campaigns,
reports, intake webhooks); ``api.app`` includes each router."""
