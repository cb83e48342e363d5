"""Evaluation: sacrebleu scores, edit rates, term success and reviewer progress over the store."""
