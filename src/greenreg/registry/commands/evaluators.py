"""Commands about third-party evaluators (第三方评价机构): register one, sanction one.

- ``register_evaluator`` (``name``, ``credit_code``, ``legal_representative``): by any
  registered authority (not the root key). The credit code is checked (GB 32100) and gives the
  evaluator its id, so one evaluator is registered once, whoever registers it.
- ``sanction_evaluator`` (``evaluator``: id or credit code; ``ground``): by the department
  whose rules provide a sanction, with effect from the act's effective date:

  ============================  ==================  =========================================
  signer                        rule                lists that refuse its results
  ============================  ==================  =========================================
  a province applying 003       003 art. 24         the province's 003 lists, 3 years
  MIIT (``CN``)                 003 art. 24         every province's 003 lists, 3 years
  Chongqing (``500000``)        001 art. 22         Chongqing's lists, no end
  a city or county              refused             (003 art. 24: it reports to the province)
  ============================  ==================  =========================================

  Grounds: ``falsification`` or ``concealment`` (003 art. 24); ``falsification`` or
  ``irresponsibility`` (001 art. 22). The signer must issue green-manufacturing lists.

A designation that names a sanctioned evaluator is refused in
:func:`~greenreg.registry.commands.designations.designate`. The yearly cap of 003 art. 24
(10 provincial evaluations a year by one legal representative's evaluators) is a flag, not a
refusal, and it is not decided here: a count across units would need a counter every designation
writes to, and the audit replays each unit's acts apart. The read side keeps every designation
naming an evaluator (``rm_evaluations``, with ``capped_by`` = ``003 art. 24`` for provincial lists
under 003), from which :mod:`greenreg.projections.evaluators` counts the 11th and later of a
year and flags them.
"""

from __future__ import annotations

from datetime import datetime

from greenreg.errors import CompetenceError, ConflictError
from greenreg.events.acts import Act
from greenreg.events.credit_codes import check_credit_code
from greenreg.events.vocabulary import EvaluatorRegistered
from greenreg.registry.authority import ROOT, Authority
from greenreg.registry.commands.common import event_fields
from greenreg.registry.decision import Decision
from greenreg.registry.evaluator import Evaluator, evaluator_id_for_credit_code
from greenreg.registry.rulebooks import rulebook_for
from greenreg.registry.rulebooks.base import GREEN_MANUFACTURING
from greenreg.registry.workspace import Workspace


def register_evaluator(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    if signer.code == ROOT:
        raise CompetenceError("an evaluator is registered by an authority, not the root key")
    fields = dict(act.fields)
    fields["credit_code"] = check_credit_code(fields["credit_code"])
    evaluator_id = evaluator_id_for_credit_code(fields["credit_code"])
    existing = ws.find_evaluator(evaluator_id)
    if existing is not None:
        existing.check_new(act)
        raise ConflictError(
            f"an evaluator with credit code {fields['credit_code']} is already registered "
            f"as {existing.state.name} ({existing.id})"
        )
    evaluator = Evaluator._create(
        EvaluatorRegistered,
        id=evaluator_id,
        **{**event_fields(act, signer.id, now), **fields},
    )
    return Decision(act, [evaluator])


def sanction_evaluator(act: Act, signer: Authority, now: datetime, ws: Workspace) -> Decision:
    evaluator = ws.evaluator(act.fields["evaluator"])
    evaluator.check_new(act)
    if signer.code == ROOT or not set(signer.programmes) & set(GREEN_MANUFACTURING):
        raise CompetenceError(
            f"{signer.name or signer.code} issues no green-manufacturing lists; an evaluator "
            "is sanctioned by the industry and information technology department whose lists "
            "it evaluates (003 art. 24; 001 art. 22)"
        )
    rulebook = rulebook_for(
        GREEN_MANUFACTURING[0], signer.jurisdiction, act.effective_date, ws.adoptions()
    )
    sanction = rulebook.evaluator_sanction(
        signer.jurisdiction, act.effective_date, act.fields["ground"]
    )
    evaluator.record(
        act.event_class, sanction=sanction.to_record(), **event_fields(act, signer.id, now)
    )
    return Decision(act, [evaluator])
