"""Sales: leads, opportunities, products, stage sets and the actions that move leads along."""
