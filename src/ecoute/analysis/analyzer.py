"""The analyzer: language, sentiment, intent, needs-reply and priority for batches of posts.

The per-text part (models) is cached by text hash, so a retweet or a duplicate costs a dict
lookup; the per-post part (needs-reply policy, priority) is recomputed for every post because
it depends on who posted, how far it spread, and how long it has waited.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np

from .features import Blocks, FeatureExtractor, Timings
from .heads import WEIGHTS_FILE, Model, Routing, Stage
from .keywords import urgent_keywords
from .language import UNDETERMINED, LanguageGuess, get_language_detector
from .priority import priority_of
from .text import text_hash
from .types import AnalysisInput, Annotation, TextAnalysis
from .wording import check_locale

DEFAULT_MODEL_DIR = Path(__file__).parent / "models" / "default"
CACHE_SIZE = 100_000
BATCH_SIZE = 64
EMPTY = TextAnalysis(
    lang=UNDETERMINED,
    lang_confidence=0.0,
    sentiment="neutral",
    sentiment_score=0.0,
    sentiment_probs={"negative": 0.0, "neutral": 1.0, "positive": 0.0},
    intent="other",
    intent_confidence=1.0,
    intent_probs={"complaint": 0.0, "question": 0.0, "praise": 0.0, "other": 1.0},
    reply_probability=0.0,
)


@dataclass
class _Begun:
    """A batch after the fast stage, waiting for the full one."""

    texts: list[str]
    languages: list[LanguageGuess]
    live: list[int]  # the texts with something to read
    blocks: Blocks = field(default_factory=dict)
    probabilities: dict[str, np.ndarray] | None = None
    routed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def live_texts(self) -> list[str]:
        return [self.texts[i] for i in self.live]

    @property
    def live_langs(self) -> list[str]:
        return [self.languages[i].code for i in self.live]


@dataclass
class _Chunk:
    """One caller's list of texts on its way through the pipeline: its batches' results, in order."""

    left: int  # batches not finished yet
    results: list[TextAnalysis] = field(default_factory=list)


class Analyzer:
    """Annotates posts with one model (the shipped default or a workspace's own heads).

    ``praise_needs_reply`` is the workspace policy for praise (thank everyone, or only answer
    what asks for it); ``analyze`` can override it per call. ``accurate`` sends every post
    through the full stage (best quality, about 40 % slower; see heads.Routing). ``pipeline``
    overlaps the full stage of one batch with the fast stage of the next (see ``_run``); off,
    the per-step timings are exact (the benchmark's breakdown runs that way).
    """

    def __init__(
        self,
        model: Model,
        *,
        praise_needs_reply: bool = True,
        cache_size: int = CACHE_SIZE,
        batch_size: int = BATCH_SIZE,
        timings: Timings | None = None,
        accurate: bool = False,
        pipeline: bool = True,
    ):
        self.model = model
        self.routing = Routing.always() if accurate else model.routing
        self.praise_needs_reply = praise_needs_reply
        self.batch_size = batch_size
        self.timings = timings or Timings()
        self._extractor = FeatureExtractor(self.timings)
        self.analysed = 0  # texts through the models (cache misses), and how many went to the full stage
        self.routed = 0
        self._detector = get_language_detector()
        self._cache: OrderedDict[str, TextAnalysis] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()  # one caller at a time through the models and the cache
        self.pipeline = pipeline
        self._pool: ThreadPoolExecutor | None = None

    @classmethod
    def load(cls, model_dir: Path | None = None, **options: object) -> Analyzer:
        return cls(Model.load(model_dir or DEFAULT_MODEL_DIR), **options)  # type: ignore[arg-type]

    def analyze(
        self,
        inputs: Sequence[AnalysisInput],
        *,
        now: datetime | None = None,
        locale: str = "fr",
        praise_needs_reply: bool | None = None,
    ) -> list[Annotation]:
        check_locale(locale)
        policy = self.praise_needs_reply if praise_needs_reply is None else praise_needs_reply
        texts = self.understand([item.text for item in inputs])
        return [
            self._annotate(item, text, now, locale, policy) for item, text in zip(inputs, texts, strict=True)
        ]

    def analyze_stream(
        self,
        batches: Iterable[Sequence[AnalysisInput]],
        *,
        now: datetime | None = None,
        locale: str = "fr",
        praise_needs_reply: bool | None = None,
    ) -> Iterator[list[Annotation]]:
        """``analyze`` over many batches, one list of annotations per batch, in order.

        The pipeline does not stop between batches: the next batch is read (``batches`` is
        consumed lazily, so reading the input overlaps too) and its fast stage runs while the full
        stage finishes the one before, and a batch's annotations are handed back while the next
        one's full stage runs. Calling ``analyze`` once per batch would leave a core idle at every
        batch's end. Holds the analyzer (like ``analyze``) until the stream ends or is closed."""
        check_locale(locale)
        policy = self.praise_needs_reply if praise_needs_reply is None else praise_needs_reply
        waiting: deque[Sequence[AnalysisInput]] = deque()

        def texts() -> Iterator[list[str]]:
            for batch in batches:
                waiting.append(batch)
                yield [item.text for item in batch]

        for analysed in self.understand_stream(texts()):
            inputs = waiting.popleft()
            yield [
                self._annotate(item, text, now, locale, policy)
                for item, text in zip(inputs, analysed, strict=True)
            ]

    def understand(self, texts: Sequence[str]) -> list[TextAnalysis]:
        """The model part for each text, from the cache when the same text was seen before."""
        return [
            result
            for chunk in self._understood([texts], lambda chunks: map(self._run, chunks))
            for result in chunk
        ]

    def understand_stream(self, chunks: Iterable[Sequence[str]]) -> Iterator[list[TextAnalysis]]:
        """``understand`` for each list of texts in ``chunks``, pipelined across them (see
        ``analyze_stream``). A text met again in a list read while an earlier one is still in the
        models is read twice (the cache learns it when that list is done): only the time is lost."""
        return self._understood(chunks, self._run_stream)

    def _understood(
        self,
        chunks: Iterable[Sequence[str]],
        run: Callable[[Iterable[list[str]]], Iterable[list[TextAnalysis]]],
    ) -> Iterator[list[TextAnalysis]]:
        # Everything here, ``pending`` included (``run`` calls it), runs in the caller's thread
        # under ``self._lock``: the pipeline's worker thread never touches the cache.
        plans: deque[tuple[list[str], dict[str, TextAnalysis], list[str]]] = deque()

        def pending() -> Iterator[list[str]]:
            for texts in chunks:
                keys = [text_hash(text) for text in texts]
                found = {key: self._cache[key] for key in keys if key in self._cache}
                todo = {key: text for key, text in zip(keys, texts, strict=True) if key not in found}
                plans.append((keys, found, list(todo)))
                yield list(todo.values())

        with self._lock:
            for computed in run(pending()):
                keys, found, todo = plans.popleft()
                found.update(zip(todo, computed, strict=True))
                for key in keys:
                    self._cache[key] = found[key]
                    self._cache.move_to_end(key)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
                yield [found[key] for key in keys]

    def _run(self, texts: list[str]) -> list[TextAnalysis]:
        """The models over ``texts``, batch by batch (pipelined as ``_run_stream`` says; a single
        batch is read in this thread)."""
        if len(texts) <= self.batch_size:
            return self._finish(self._begin(texts)) if texts else []
        return [result for chunk in self._run_stream([texts]) for result in chunk]

    def _run_stream(self, chunks: Iterable[list[str]]) -> Iterator[list[TextAnalysis]]:
        """The models over each list of texts, batch by batch, one list of results per list.

        Pipelined: the full stage of one batch (the e5 embedding, native code that releases the
        GIL and spreads over the cores) runs in a worker thread while this thread reads the next
        batch with the language detectors and the fast stage, which are single-threaded and
        would otherwise leave a core idle (docs/benchmarks.md, analysis speed). The next batch
        may belong to the next list: the worker is kept busy across lists, and a list's results
        are handed back while the worker reads the one after it.
        """
        order: deque[_Chunk] = deque()
        running: tuple[Future[list[TextAnalysis]], _Chunk] | None = None

        def collect() -> None:
            nonlocal running
            if running is not None:
                future, chunk = running
                running = None
                chunk.results += future.result()
                chunk.left -= 1

        def ready() -> Iterator[list[TextAnalysis]]:
            while order and order[0].left == 0:  # done, and every list before it too
                yield order.popleft().results

        try:
            for texts in chunks:
                batches = [
                    texts[start : start + self.batch_size] for start in range(0, len(texts), self.batch_size)
                ]
                chunk = _Chunk(left=len(batches))
                order.append(chunk)
                for batch in batches:
                    begun = self._begin(batch)
                    if not self.pipeline:
                        chunk.results += self._finish(begun)
                        chunk.left -= 1
                        continue
                    collect()
                    running = (self._worker().submit(self._finish, begun), chunk)
                    yield from ready()
                yield from ready()
            collect()
            yield from ready()
        finally:
            if running is not None:  # an error or an early close: let the worker finish its batch first
                wait([running[0]])

    def _worker(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ecoute-analysis")
        return self._pool

    def _begin(self, texts: list[str]) -> _Begun:
        """Language and the fast stage; which posts the full stage must read (see heads.py)."""
        started = self.timings.start()
        languages = [self._detector.detect(text) for text in texts]
        self.timings.add("language", started)
        live = [i for i, text in enumerate(texts) if text.strip()]
        begun = _Begun(texts, languages, live)
        if not live or self.model.fast is None:
            return begun
        fast = self.model.fast
        begun.blocks = self._extractor.compute(begun.live_texts, begun.live_langs, fast.spec.blocks)
        begun.probabilities = self._stage(fast, begun.blocks)
        begun.routed = np.where(self.model.needs_full(begun.probabilities, self.routing))[0]
        self.routed += len(begun.routed)
        self.analysed += len(live)
        return begun

    def _finish(self, begun: _Begun) -> list[TextAnalysis]:
        """The full stage where the fast one was unsure (or everywhere without one), then the results."""
        results = [EMPTY] * len(begun.texts)
        if not begun.live:
            return results
        model = self.model
        if begun.probabilities is None:
            blocks = self._extractor.compute(begun.live_texts, begun.live_langs, model.full.spec.blocks)
            probabilities = self._stage(model.full, blocks)
        else:
            probabilities, routed = begun.probabilities, begun.routed
            if len(routed):
                shared = {name: block[routed] for name, block in begun.blocks.items()}
                texts, langs = begun.live_texts, begun.live_langs
                sub = self._extractor.compute(
                    [texts[i] for i in routed], [langs[i] for i in routed], model.full.spec.blocks, shared
                )
                for head, values in self._stage(model.full, sub).items():
                    probabilities[head][routed] = values
        started = self.timings.start()
        intents = model.decide_intents(probabilities)
        for row, i in enumerate(begun.live):
            language = begun.languages[i]
            results[i] = self._result(
                begun.texts[i], language.code, language.confidence, probabilities, row, int(intents[row])
            )
        self.timings.add("keywords", started)
        return results

    def _stage(self, stage: Stage, blocks: Blocks) -> dict[str, np.ndarray]:
        started = self.timings.start()
        out = stage.predict(stage.spec.assemble(blocks))
        self.timings.add("heads", started)
        return out

    def _result(
        self,
        text: str,
        lang: str,
        lang_confidence: float,
        probs: dict[str, np.ndarray],
        row: int,
        intent_index: int,
    ) -> TextAnalysis:
        heads = self.model.full.heads
        sentiment = dict(zip(heads["sentiment"].labels, probs["sentiment"][row].tolist(), strict=True))
        intent = dict(zip(heads["intent"].labels, probs["intent"][row].tolist(), strict=True))
        reply = dict(zip(heads["needs_reply"].labels, probs["needs_reply"][row].tolist(), strict=True))
        top_sentiment = max(sentiment, key=sentiment.__getitem__)
        top_intent = heads["intent"].labels[intent_index]  # the likeliest that fits the sentiment
        return TextAnalysis(
            lang=lang,
            lang_confidence=lang_confidence,
            sentiment=top_sentiment,
            sentiment_score=sentiment.get("positive", 0.0) - sentiment.get("negative", 0.0),
            sentiment_probs=sentiment,
            intent=top_intent,
            intent_confidence=intent[top_intent],
            intent_probs=intent,
            reply_probability=reply.get("yes", 0.0),
            keywords=tuple(word for _, word in urgent_keywords(text)),
        )

    def _annotate(
        self, item: AnalysisInput, text: TextAnalysis, now: datetime | None, locale: str, praise_policy: bool
    ) -> Annotation:
        needs_reply, confidence = decide_reply(text, item.addressed_to_brand, praise_policy)
        annotation = Annotation(
            lang=text.lang,
            sentiment=text.sentiment,
            sentiment_score=text.sentiment_score,
            sentiment_probs=dict(text.sentiment_probs),
            intent=text.intent,
            intent_confidence=text.intent_confidence,
            intent_probs=dict(text.intent_probs),
            needs_reply=needs_reply,
            needs_reply_confidence=confidence,
            priority=0,
            keywords=list(text.keywords),
        )
        result = priority_of(annotation, item, now=now, locale=locale)
        annotation.priority, annotation.reasons = result.score, list(result.reasons)
        return annotation


def decide_reply(
    text: TextAnalysis, addressed_to_brand: bool | None, praise_policy: bool
) -> tuple[bool, float]:
    """Needs-reply from the head, made consistent with the intent and the workspace's policy.

    A complaint or question put to the brand always needs a reply; praise follows the policy;
    everything else (news shares, jokes, spam) follows the head, which was trained on it.
    """
    p = text.reply_probability
    if text.intent in ("complaint", "question") and addressed_to_brand:
        return True, max(p, text.intent_confidence)
    if text.intent == "complaint" and addressed_to_brand is None:
        return True, max(p, text.intent_confidence)
    if text.intent == "praise":
        return praise_policy, text.intent_confidence
    return (True, p) if p >= 0.5 else (False, 1.0 - p)


_analyzers: dict[tuple[Path, bool], tuple[int, Analyzer]] = {}
_analyzers_lock = threading.Lock()


def get_analyzer(model_dir: Path | None = None, *, accurate: bool = False) -> Analyzer:
    """The process-wide analyzer for a model folder (the shipped default when ``None``).

    Retraining a workspace rewrites its folder; the next call sees the new heads.
    """
    folder = (model_dir or DEFAULT_MODEL_DIR).resolve()
    stamp = _stamp(folder)
    with _analyzers_lock:
        cached = _analyzers.get((folder, accurate))
        if cached is None or cached[0] != stamp:
            cached = (stamp, Analyzer(Model.load(folder), accurate=accurate))
            _analyzers[(folder, accurate)] = cached
        return cached[1]


def _stamp(folder: Path) -> int:
    try:
        return (folder / WEIGHTS_FILE).stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def workspace_model_dir(workspace: str | None, data_dir: Path | None = None) -> Path:
    """Where ``ecoute train --data`` saves a workspace's heads: DATA_DIR/models/<slug or default>."""
    from ecoute.settings import Settings

    base = data_dir or Settings().data_dir
    return base / "models" / (workspace or "default")
