"""The rule registry: the one table of codes.

A code is never reused; a renamed rule keeps its old name in ``aliases``. Selectors
(``--select``, ``--ignore``, profile lists) accept a code (``SP002``), a prefix (``SP``), a
group (``separators``) or a name (``inconsistent-prompt-separator``).
"""

from __future__ import annotations

from ftprep.core.reasons import Reason
from ftprep.core.reasons import register as register_reasons
from ftprep.core.rule import Rule
from ftprep.rules.classes.class_imbalance import ClassImbalance
from ftprep.rules.classes.class_missing_from_split import ClassMissingFromSplit
from ftprep.rules.classes.conflicting_labels import ConflictingLabels
from ftprep.rules.classes.rare_class import RareClass
from ftprep.rules.duplicates.exact_duplicate import ExactDuplicate
from ftprep.rules.duplicates.near_duplicate import NearDuplicate
from ftprep.rules.duplicates.train_validation_leak import TrainValidationLeak
from ftprep.rules.io.blank_line import BlankLine
from ftprep.rules.io.byte_order_mark import ByteOrderMark
from ftprep.rules.io.duplicate_key import DuplicateKey
from ftprep.rules.io.invalid_json import InvalidJson
from ftprep.rules.io.mixed_formats import MixedFormats
from ftprep.rules.io.quote_spans_rows import QuoteSpansRows
from ftprep.rules.io.ragged_row import RaggedRow
from ftprep.rules.io.record_not_object import RecordNotObject
from ftprep.rules.io.spreadsheet_artifact import SpreadsheetArtifact
from ftprep.rules.io.unreadable_file import UnreadableFile
from ftprep.rules.language.language_mismatch import LanguageMismatch
from ftprep.rules.language.language_outlier import LanguageOutlier
from ftprep.rules.privacy.personal_data import PersonalData
from ftprep.rules.privacy.secret_in_content import SecretInContent
from ftprep.rules.separators.common_completion_prefix import CommonCompletionPrefix
from ftprep.rules.separators.common_prompt_prefix import CommonPromptPrefix
from ftprep.rules.separators.inconsistent_prompt_separator import InconsistentPromptSeparator
from ftprep.rules.separators.inconsistent_stop_sequence import InconsistentStopSequence
from ftprep.rules.separators.missing_prompt_separator import MissingPromptSeparator
from ftprep.rules.separators.missing_stop_sequence import MissingStopSequence
from ftprep.rules.separators.separator_in_prompt_body import SeparatorInPromptBody
from ftprep.rules.separators.stop_sequence_in_completion_body import StopSequenceInCompletionBody
from ftprep.rules.structure.consecutive_same_role import ConsecutiveSameRole
from ftprep.rules.structure.empty_content import EmptyContent
from ftprep.rules.structure.invalid_content_part import InvalidContentPart
from ftprep.rules.structure.invalid_preference_pair import InvalidPreferencePair
from ftprep.rules.structure.invalid_tool_call import InvalidToolCall
from ftprep.rules.structure.invalid_tool_definition import InvalidToolDefinition
from ftprep.rules.structure.invalid_weight import InvalidWeight
from ftprep.rules.structure.last_message_not_assistant import LastMessageNotAssistant
from ftprep.rules.structure.missing_assistant_message import MissingAssistantMessage
from ftprep.rules.structure.missing_content import MissingContent
from ftprep.rules.structure.missing_messages import MissingMessages
from ftprep.rules.structure.missing_required_field import MissingRequiredField
from ftprep.rules.structure.non_string_value import NonStringValue
from ftprep.rules.structure.system_message_not_first import SystemMessageNotFirst
from ftprep.rules.structure.too_few_examples import TooFewExamples
from ftprep.rules.structure.unknown_field import UnknownField
from ftprep.rules.structure.unrecognized_role import UnrecognizedRole
from ftprep.rules.text_hygiene.completion_missing_leading_space import CompletionMissingLeadingSpace
from ftprep.rules.text_hygiene.invisible_character import InvisibleCharacter
from ftprep.rules.text_hygiene.literal_escape_sequence import LiteralEscapeSequence
from ftprep.rules.text_hygiene.mojibake import Mojibake
from ftprep.rules.text_hygiene.mostly_uppercase import MostlyUppercase
from ftprep.rules.text_hygiene.surrounding_whitespace import SurroundingWhitespace
from ftprep.rules.tokens.example_over_token_limit import ExampleOverTokenLimit
from ftprep.rules.tokens.multi_token_label import MultiTokenLabel
from ftprep.rules.tokens.special_token_in_content import SpecialTokenInContent
from ftprep.rules.tokens.token_summary import TokenSummary

REGISTRY: dict[str, type[Rule]] = {
    "IO001": UnreadableFile,
    "IO002": InvalidJson,
    "IO003": RecordNotObject,
    "IO004": ByteOrderMark,
    "IO005": BlankLine,
    "IO006": DuplicateKey,
    "IO007": SpreadsheetArtifact,
    "IO008": MixedFormats,
    "IO009": RaggedRow,
    "IO010": QuoteSpansRows,
    "SC001": MissingMessages,
    "SC002": MissingRequiredField,
    "SC003": UnknownField,
    "SC004": UnrecognizedRole,
    "SC005": MissingContent,
    "SC006": EmptyContent,
    "SC007": MissingAssistantMessage,
    "SC008": LastMessageNotAssistant,
    "SC009": SystemMessageNotFirst,
    "SC010": ConsecutiveSameRole,
    "SC011": InvalidWeight,
    "SC012": InvalidToolCall,
    "SC013": InvalidToolDefinition,
    "SC014": InvalidContentPart,
    "SC015": InvalidPreferencePair,
    "SC016": TooFewExamples,
    "SC017": NonStringValue,
    "SP001": MissingPromptSeparator,
    "SP002": InconsistentPromptSeparator,
    "SP003": SeparatorInPromptBody,
    "SP004": MissingStopSequence,
    "SP005": InconsistentStopSequence,
    "SP006": StopSequenceInCompletionBody,
    "SP007": CommonPromptPrefix,
    "SP008": CommonCompletionPrefix,
    "WS001": CompletionMissingLeadingSpace,
    "WS002": SurroundingWhitespace,
    "WS003": InvisibleCharacter,
    "WS004": Mojibake,
    "WS005": MostlyUppercase,
    "WS006": LiteralEscapeSequence,
    "TK001": ExampleOverTokenLimit,
    "TK002": SpecialTokenInContent,
    "TK003": MultiTokenLabel,
    "TK004": TokenSummary,
    "CB001": ClassImbalance,
    "CB002": RareClass,
    "CB003": ClassMissingFromSplit,
    "CB004": ConflictingLabels,
    "DP001": ExactDuplicate,
    "DP002": NearDuplicate,
    "DP003": TrainValidationLeak,
    "LG001": LanguageOutlier,
    "LG002": LanguageMismatch,
    "PV001": SecretInContent,
    "PV002": PersonalData,
}

# Codes reserved for rules that arrive with later capabilities; never reuse them.
RESERVED: tuple[str, ...] = ()


def rule_by_name(name: str) -> type[Rule] | None:
    for cls in REGISTRY.values():
        if name == cls.name or name in cls.aliases:
            return cls
    return None


def _register_reasons() -> None:
    """Tell the core which code reports each reason readers and converters give."""
    by_name = {cls.name: code for code, cls in REGISTRY.items()}
    register_reasons({reason: by_name[reason.value] for reason in Reason})


_register_reasons()
