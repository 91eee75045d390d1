"""Understanding posts: language, sentiment, intent, needs-reply and priority, offline on a CPU.

    from ecoute.analysis import AnalysisInput, get_analyzer

    analyzer = get_analyzer()                      # shipped heads, loaded once per process
    [note] = analyzer.analyze([AnalysisInput("@acme toujours pas remboursé !!", author_followers=48_000)])
    note.intent, note.priority, note.reasons       # 'complaint', 71, ['plainte négative', ...]

``priority`` / ``explain`` recompute a post's priority at a new ``now`` without any model.
"""

from .analyzer import DEFAULT_MODEL_DIR, Analyzer, decide_reply, get_analyzer, workspace_model_dir
from .language import LanguageGuess, get_language_detector
from .priority import Priority, explain, priority, priority_of
from .types import INTENTS, SENTIMENTS, AnalysisInput, Annotation, LabelledExample, TextAnalysis

__all__ = [
    "DEFAULT_MODEL_DIR",
    "INTENTS",
    "SENTIMENTS",
    "AnalysisInput",
    "Analyzer",
    "Annotation",
    "LabelledExample",
    "LanguageGuess",
    "Priority",
    "TextAnalysis",
    "decide_reply",
    "explain",
    "get_analyzer",
    "get_language_detector",
    "priority",
    "priority_of",
    "workspace_model_dir",
]
