"""Topics: what people keep raising, found in the posts' e5 vectors and labelled with their words.

``clustering`` groups vectors (French and English together) and chooses how many topics there
are; ``labels`` names each topic by class-based TF-IDF; ``contract`` runs both on a JSONL file
for ``ecoute topics``.
"""
