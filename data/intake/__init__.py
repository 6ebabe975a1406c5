"""Leads that arrive by themselves: from the HTTP API, a portal's webhook or Meta Lead Ads.

``leads.receive_lead`` turns one delivery into a new lead or a re-enquiry of a known one, in one
transaction with its entry in the intake log (``intake_events``); a delivery seen before (the
same platform lead id for the same source, or the same idempotency key) is answered as the first
time; a refused one is logged with its reasons and payload, so it can be processed again.
"""
