"""A local demo portal that publishes synthetic annual reports the way real government portals do.

``demoportal.reports`` renders the report pages (also used to build the golden HTML corpus).
"""
