from __future__ import annotations

from array import array
from collections.abc import Iterator

from ftprep.core.batch import Batch
from ftprep.core.collector import Collector, Collects
from ftprep.core.diagnostic import Finding, Severity
from ftprep.core.prefilter import Prefilter, select
from ftprep.core.rule import Rule, RuleContext, RuleOptions, Scope
from ftprep.core.texts import record_profiles, record_texts
from ftprep.rules.privacy._patterns import DEFAULT_REGIONS, count_emails, count_phones
from ftprep.rules.texts import plural


class Options(RuleOptions):
    report_rows: bool = False
    """Report each record that holds personal data, not only the counts."""
    regions: tuple[str, ...] = DEFAULT_REGIONS
    """Regions (ISO 3166 codes) whose national numbering plans phone numbers written
    without a country code are checked against."""


_Options = Options  # the class body's `Options` names the rule's attribute


# Only records with an ``@``, a run of digits long enough for a phone number, or non-ASCII
# text (``\d`` matches every script's digits) need the regular expressions.
_SUSPECTS = Prefilter(needles=("@",), many_digits=True, non_ascii=True)


class PersonalDataCounts(Collector):
    """E-mail addresses and valid phone numbers, counted per split, and the records with
    any; ``regions`` are the national numbering plans numbers without a country code are
    checked against."""

    def __init__(self, ctx: RuleContext, regions: tuple[str, ...]) -> None:
        super().__init__(ctx)
        self.regions = regions
        self.counts = [0, 0, 0, 0]  # records with e-mail, e-mails, records with phone, phones
        self.rows = array("I")

    def feed(self, batch: Batch) -> None:
        c = self.counts
        for record in select(batch, _SUSPECTS):
            emails = phones = 0
            for (_, text, _), profile in zip(
                record_texts(record), record_profiles(record), strict=True
            ):
                emails += count_emails(text)
                phones += count_phones(
                    text, profile[3] if profile is not None else None, self.regions
                )
            if emails or phones:
                c[0] += emails > 0
                c[1] += emails
                c[2] += phones > 0
                c[3] += phones
                self.rows.append(record.index)

    def merge(self, other: Collector) -> None:
        assert isinstance(other, PersonalDataCounts)
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.rows.extend(other.rows)


class PersonalData(Rule):
    """## What it does
    Counts e-mail addresses and phone numbers in the texts and reports the totals for the
    file: how many records hold them and how many there are. A phone number is a run of
    digits shaped like one that the phonenumbers library (libphonenumber's numbering plans)
    calls valid: numbers with a country code for their country, others for the regions of
    the `regions` option. Arithmetic (`960-480-120`), IP addresses, dates and placeholder
    numbers (`555-0100`) are not counted. With `report-rows = true`
    (in the rule's options) every such record is reported too.

    ## Why is this bad?
    Personal data in training examples can be reproduced by the model, and data protection
    rules may forbid processing it for training at all. Support transcripts and CRM
    exports are full of it.

    ## Example
    `"Write to jane.doe@example.com or call +1 (555) 123-4567"`

    ## Use instead
    Replace them with placeholders (`<EMAIL>`, `<PHONE>`) before training.

    ## Options
    - `report-rows`: report each record, not only the counts (default false).
    - `regions`: regions whose national numbers are recognised (default `["US", "GB", "IN"]`; add
      `"DE"`, `"IN"`... for data from there).

    ## Fix safety
    No fix.

    ## References
    - OWASP LLM06 (sensitive information disclosure); GDPR Art. 5 (data minimisation)
    """

    code = "PV002"
    name = "personal-data"
    group = "privacy"
    scope = Scope.DATASET
    default_severity = Severity.INFO
    Options = Options
    options: _Options  # the typed view of this rule's options

    def collects(self) -> Collects:
        return Collects(PersonalDataCounts, (tuple(self.options.regions),))

    def finish(self) -> Iterator[Finding]:
        assert isinstance(self.collected, PersonalDataCounts)
        with_email, emails, with_phone, phones = self.collected.counts
        if not (emails or phones):
            return
        parts = []
        if emails:
            parts.append(
                f"{plural(emails, 'e-mail address', 'e-mail addresses')} in {plural(with_email, 'record')}"
            )
        if phones:
            parts.append(f"{plural(phones, 'phone number')} in {plural(with_phone, 'record')}")
        data = {
            "emails": emails,
            "records_with_email": with_email,
            "phones": phones,
            "records_with_phone": with_phone,
        }
        yield Finding("personal data: " + " and ".join(parts), data=data)
        if self.options.report_rows:
            for index in self.collected.rows:
                yield Finding("the record holds an e-mail address or phone number", record=index)
