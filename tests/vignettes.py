"""Clinical vignettes: a person's labs and context, the verdict a reviewing clinician expects,
and the guideline sentence that verdict follows. Each cut-off has a vignette on each side.

``tests/test_assess_vignettes.py`` checks every vignette against ``assess``, and
``tools/gen_validation.py`` renders them as docs/clinical-validation.md.
"""

from __future__ import annotations

from typing import NamedTuple


class Vignette(NamedTuple):
    title: str
    labs: dict[str, object]
    context: dict[str, object]
    nutrient: str
    status: str
    codes: tuple[str, ...]
    basis: str  # the guideline sentence the verdict follows, with its source
    warnings: tuple[str, ...] | None = None  # the warning codes expected, where checked


SEE = "see-clinician"
ORAL, IV, AVOID = "consider-oral-iron", "consider-iv-iron", "avoid-iron-supplements"
REPEAT = "repeat-fasting-iron-studies"
AASM_ADULT = (
    "AASM 2024: iron in adults with RLS if serum ferritin <=75 ng/mL or transferrin "
    "saturation < 20%, and only IV iron if serum ferritin is between 75 ng/mL and 100 ng/mL."
)
IRLSSG_300 = (
    "IRLSSG 2018: ferric carboxymaltose is effective in those with serum ferritin <300 µg/l; "
    "oral iron in those with serum ferritin <=75 µg/l. Above it iron is not suggested."
)
CEILING_NOT_OVERLOAD = (
    "IRLSSG 2018: ferritin < 300 µg/L is the range ferric carboxymaltose was tested in, not a "
    "definition of overload; at or above it no iron, and only a low TSAT calls for a work-up."
)
IRLSSG_45 = "IRLSSG 2018: iron infusion only with transferrin saturation below 45%."
FASTING = (
    "AASM 2024: iron studies in the morning, avoiding all iron-containing supplements and "
    "foods at least 24 hours before the blood draw."
)
ONE_VALUE = (
    "AASM 2024 asks for ferritin and transferrin saturation together; one alone is not enough."
)
INFLAMMATION = (
    "WHO 2020 / BRINDA: with CRP > 5 mg/L ferritin overstates stores; a met criterion still holds."
)
CHILD = (
    "AASM 2024 (paediatric, as summarised): supplement iron in children when ferritin is <50 ng/mL."
)
ESRD = (
    "AASM 2024 (ESRD): IV iron sucrose when ferritin < 200 ng/mL and transferrin saturation < 20%."
)
NICE_B12 = (
    "NICE NG239: total B12 < 180 ng/L (133 pmol/L) confirms deficiency; 180-350 ng/L is "
    "indeterminate, and MMA can settle it."
)
MMA_ANY = (
    "IOM 1998: MMA rises when the supply of B12 is low; a normal serum B12 does not rule it out."
)
MMA_KIDNEY = "Ann Clin Biochem 2018, IOM 1998: reduced GFR raises MMA as well."
MG = (
    "Costello 2016: reference interval 0.75-0.95 mmol/L; the proposed 0.85 mmol/L is a note "
    "(Costello & Nielsen 2017: 0.75-0.85 may be deficient only with other signs)."
)
MG_HIGH = (
    "RCPA (via Therapeutic Guidelines, secondary): adult normal range 0.8-1.0 mmol/L, "
    "hypermagnesaemia above 1.0 mmol/L, severe intoxication above 2.0 to 2.5 mmol/L."
)
IOM_VITD = (
    "IOM 2011: 25(OH)D < 30 nmol/L (< 12 ng/mL) at risk of deficiency, 30-50 nmol/L (12-20 "
    "ng/mL) some at risk of inadequacy, > 125 nmol/L (> 50 ng/mL) may be cause for concern."
)
IOM_B6 = (
    "IOM 1998: plasma PLP 20 nmol/L is the cut-off of adequacy; 30 nmol/L the traditional lower "
    "end of normal (Leklem 1990)."
)
FOLATE_RBC = "Pfeiffer 2016 (CDC/WHO/ODS): possible deficiency at RBC folate < 340 nmol/L."
FOLATE_SERUM = (
    "WHO (indicator catalogue): possible folate deficiency below 4 ng/mL (10 nmol/L) of serum "
    "folate; each figure applies on its own scale."
)
FOLATE_RBC_DEF = "WHO 2015: red-cell folate < 100 ng/mL (226.5 nmol/L) indicates deficiency."

WHO_HB = (
    "WHO 2024: anaemia below 105 g/L at 6-23 months, 110 at 24-59 months, 115 at 5-11 years, "
    "120 at 12-14 years; from 15, 120 (women) and 130 (men); 110 in pregnancy."
)
TSAT_DERIVED = (
    "TSAT = serum iron / TIBC x 100, derived when no TSAT is reported; then judged as TSAT "
    "(AASM 2024 < 20 %, IRLSSG 2018 ceiling 45 %)."
)
IV_NEEDS_TSAT = (
    "IRLSSG 2018: ferric carboxymaltose with ferritin < 300 µg/L and transferrin saturation "
    "< 45%; AASM 2024: oral iron at ferritin <= 75 ng/mL, on ferritin alone."
)
WHO_UNDER5 = (
    "WHO 2020 (as summarised): iron deficiency at ferritin < 12 µg/L under 5 years (< 30 with "
    "inflammation), < 15 µg/L from 5 years (< 70 with inflammation)."
)
CENSORED = (
    "A censored result is judged at both ends of its range: where every end meets a criterion, "
    "the actions common to all hold, with the less severe status; otherwise indeterminate."
)
CHILD_DIALYSIS = (
    "AASM 2024: the ESRD criterion (IV iron sucrose) is for adults; children are judged by the "
    "paediatric criterion (ferritin < 50 ng/mL, oral iron), and a paediatric nephrologist decides."
)
ADULT: dict[str, object] = {}
CHILD_10 = {"age": 10}
AGE_17 = {"age": 17}
AGE_18 = {"age": 18}
PREGNANT = {"sex": "female", "pregnant": True}
CKD = {"kidney_disease": True}
DIALYSIS = {"dialysis": True}

V = Vignette
# One vignette a line, so the table reads like the validation page it becomes.
# fmt: off
VIGNETTES: tuple[Vignette, ...] = (
    # Iron, adults: the RLS targets
    V("ferritin at the oral-iron cut-off", {"ferritin": 75, "tsat": 25}, ADULT, "iron", "low", (ORAL, IV, SEE), AASM_ADULT),
    V("ferritin just above it: IV only", {"ferritin": 75.1, "tsat": 25}, ADULT, "iron", "low", (IV, SEE), AASM_ADULT),
    V("ferritin at the IV cut-off", {"ferritin": 100, "tsat": 25}, ADULT, "iron", "low", (IV, SEE), AASM_ADULT),
    V("ferritin above it, TSAT normal", {"ferritin": 100.1, "tsat": 25}, ADULT, "iron", "adequate", (), AASM_ADULT),
    V("TSAT just below 20 %, ferritin 150", {"ferritin": 150, "tsat": 19.9}, ADULT, "iron", "low", (IV, SEE), AASM_ADULT),
    V("TSAT at 20 %, ferritin 150", {"ferritin": 150, "tsat": 20}, ADULT, "iron", "adequate", (), AASM_ADULT),
    # the ferritin ceiling
    V("low TSAT, ferritin just under 300", {"ferritin": 299, "tsat": 15}, ADULT, "iron", "low", (IV, SEE), IRLSSG_300),
    V("low TSAT, ferritin at 300", {"ferritin": 300, "tsat": 15}, ADULT, "iron", "high", (SEE,), IRLSSG_300),
    V("low TSAT, ferritin 500", {"ferritin": 500, "tsat": 15}, ADULT, "iron", "high", (SEE,), IRLSSG_300),
    V("ferritin 310, TSAT 19.9 %: work-up", {"ferritin": 310, "tsat": 19.9}, ADULT, "iron", "high", (SEE,), CEILING_NOT_OVERLOAD),
    V("ferritin 310, TSAT 20 %: no iron, not high", {"ferritin": 310, "tsat": 20}, ADULT, "iron", "adequate", (), CEILING_NOT_OVERLOAD),
    V("ferritin 350, TSAT 25 %, CRP 40", {"ferritin": 350, "tsat": 25, "crp": 40}, ADULT, "iron", "indeterminate", (SEE,), CEILING_NOT_OVERLOAD, ()),
    V("ferritin 350, TSAT 25 %, CRP 5", {"ferritin": 350, "tsat": 25, "crp": 5}, ADULT, "iron", "adequate", (), CEILING_NOT_OVERLOAD, ()),
    V("ferritin 300 alone", {"ferritin": 300}, ADULT, "iron", "indeterminate", (SEE,), ONE_VALUE),
    # the TSAT ceiling, and a non-fasting sample
    V("TSAT just under 45 %", {"ferritin": 150, "tsat": 44.9}, ADULT, "iron", "adequate", (), IRLSSG_45),
    V("TSAT at 45 %", {"ferritin": 150, "tsat": 45}, ADULT, "iron", "high", (AVOID, SEE), IRLSSG_45),
    V("TSAT 50 % with ferritin 14", {"ferritin": 14, "tsat": 50}, ADULT, "iron", "indeterminate", (AVOID, REPEAT, SEE), FASTING),
    V("TSAT 60 % with ferritin 40: not overload", {"ferritin": 40, "tsat": 60}, ADULT, "iron", "indeterminate", (AVOID, REPEAT, SEE), FASTING),
    V("TSAT 50 % with ferritin 75", {"ferritin": 75, "tsat": 50}, ADULT, "iron", "indeterminate", (AVOID, REPEAT, SEE), FASTING),
    V("TSAT 50 % with ferritin 75.1", {"ferritin": 75.1, "tsat": 50}, ADULT, "iron", "high", (AVOID, SEE), IRLSSG_45),
    V("child, TSAT 50 % with ferritin 49", {"ferritin": 49, "tsat": 50}, CHILD_10, "iron", "indeterminate", (AVOID, REPEAT, SEE), FASTING),
    V("child, TSAT 50 % with ferritin 50", {"ferritin": 50, "tsat": 50}, CHILD_10, "iron", "high", (AVOID, SEE), IRLSSG_45),
    # censored ferritin: across "<100" every value meets an IV criterion
    V("ferritin <100, TSAT 25 %", {"ferritin": "<100", "tsat": 25}, ADULT, "iron", "low", (IV, SEE), CENSORED),
    V("ferritin <101, TSAT 25 %", {"ferritin": "<101", "tsat": 25}, ADULT, "iron", "indeterminate", (SEE,), CENSORED),
    # one value alone
    V("TSAT 30 % alone", {"tsat": 30}, ADULT, "iron", "indeterminate", (SEE,), ONE_VALUE),
    V("TSAT 15 % alone: below target, ferritin needed", {"tsat": 15}, ADULT, "iron", "low", (SEE,), ONE_VALUE),
    V("ferritin 180 alone", {"ferritin": 180}, ADULT, "iron", "indeterminate", (SEE,), ONE_VALUE),
    V("ferritin 40 alone: oral iron, IV waits for TSAT", {"ferritin": 40}, ADULT, "iron", "low", (ORAL, SEE), IV_NEEDS_TSAT),
    V("ferritin 80 alone: IV waits for TSAT", {"ferritin": 80}, ADULT, "iron", "low", (SEE,), IV_NEEDS_TSAT),
    V("ferritin 80, TSAT 44.9 %: IV iron", {"ferritin": 80, "tsat": 44.9}, ADULT, "iron", "low", (IV, SEE), IV_NEEDS_TSAT),
    V("ferritin 80, TSAT 45 %: no iron", {"ferritin": 80, "tsat": 45}, ADULT, "iron", "high", (AVOID, SEE), IV_NEEDS_TSAT),
    # TSAT derived from serum iron and TIBC when not reported
    V("iron 113 / TIBC 250 µg/dL (TSAT 45.2 %)", {"ferritin": 150, "serum_iron": 113, "tibc": 250}, ADULT, "iron", "high", (AVOID, SEE), TSAT_DERIVED),
    V("iron 112 / TIBC 250 µg/dL (TSAT 44.8 %)", {"ferritin": 150, "serum_iron": 112, "tibc": 250}, ADULT, "iron", "adequate", (), TSAT_DERIVED),
    V("iron 8.9 µmol/L / TIBC 250 µg/dL (TSAT 19.9 %)", {"ferritin": 150, "serum_iron": "8.9 umol/L", "tibc": 250}, ADULT, "iron", "low", (IV, SEE), TSAT_DERIVED),
    V("iron 9.0 µmol/L / TIBC 250 µg/dL (TSAT 20.1 %)", {"ferritin": 150, "serum_iron": "9.0 umol/L", "tibc": 250}, ADULT, "iron", "adequate", (), TSAT_DERIVED),
    V("iron 40 / TIBC 450 µg/dL, no ferritin (TSAT 8.9 %)", {"serum_iron": 40, "tibc": 450}, ADULT, "iron", "low", (SEE,), TSAT_DERIVED),
    V("reported TSAT wins over iron / TIBC", {"ferritin": 150, "tsat": 30, "serum_iron": 200, "tibc": 250}, ADULT, "iron", "adequate", (), TSAT_DERIVED),
    # inflammation never switches a met criterion off
    V("inflammation, ferritin 72, TSAT 15", {"ferritin": 72, "tsat": 15, "crp": 10}, ADULT, "iron", "low", (ORAL, IV, SEE), INFLAMMATION),
    V("inflammation, ferritin 69", {"ferritin": 69, "tsat": 25, "crp": 10}, ADULT, "iron", "deficient", (ORAL, IV, SEE), INFLAMMATION),
    V("inflammation, ferritin 150, TSAT 25", {"ferritin": 150, "tsat": 25, "crp": 10}, ADULT, "iron", "indeterminate", (SEE,), INFLAMMATION),
    V("CRP 5, ferritin 150, TSAT 25", {"ferritin": 150, "tsat": 25, "crp": 5}, ADULT, "iron", "adequate", (), INFLAMMATION),
    # children
    V("child, ferritin 49", {"ferritin": 49, "tsat": 25}, CHILD_10, "iron", "low", (ORAL, SEE), CHILD),
    V("child, ferritin 50", {"ferritin": 50, "tsat": 25}, CHILD_10, "iron", "adequate", (), CHILD),
    V("child, ferritin 10: never IV iron", {"ferritin": 10, "tsat": 25}, CHILD_10, "iron", "deficient", (ORAL, SEE), CHILD),
    V("age 3, ferritin 11.9", {"ferritin": 11.9, "tsat": 25}, {"age": 3}, "iron", "deficient", (ORAL, SEE), WHO_UNDER5),
    V("age 3, ferritin 12: the under-5 cut-off", {"ferritin": 12, "tsat": 25}, {"age": 3}, "iron", "low", (ORAL, SEE), WHO_UNDER5),
    V("age 3, CRP 10, ferritin 29.9", {"ferritin": 29.9, "tsat": 25, "crp": 10}, {"age": 3}, "iron", "deficient", (ORAL, SEE), WHO_UNDER5),
    V("age 3, CRP 10, ferritin 30", {"ferritin": 30, "tsat": 25, "crp": 10}, {"age": 3}, "iron", "low", (ORAL, SEE), WHO_UNDER5),
    V("age 5, ferritin 14: the 5-and-over cut-off", {"ferritin": 14, "tsat": 25}, {"age": 5}, "iron", "deficient", (ORAL, SEE), WHO_UNDER5),
    V("age 17, ferritin 60", {"ferritin": 60, "tsat": 25}, AGE_17, "iron", "adequate", (), CHILD),
    V("age 18, ferritin 60: the adult criterion", {"ferritin": 60, "tsat": 25}, AGE_18, "iron", "low", (ORAL, IV, SEE), AASM_ADULT),
    V("child on dialysis: no IV iron", {"ferritin": 150, "tsat": 15}, {"age": 12, "dialysis": True}, "iron", "low", (SEE,), CHILD_DIALYSIS),
    V("child on dialysis, ferritin 30: the paediatric criterion", {"ferritin": 30, "tsat": 25}, {"age": 12, "dialysis": True}, "iron", "low", (ORAL, SEE), CHILD_DIALYSIS),
    V("child on dialysis, ferritin 50", {"ferritin": 50, "tsat": 25}, {"age": 12, "dialysis": True}, "iron", "adequate", (SEE,), CHILD_DIALYSIS),
    V("child on dialysis, ferritin 299", {"ferritin": 299, "tsat": 20}, {"age": 12, "dialysis": True}, "iron", "adequate", (SEE,), CHILD_DIALYSIS),
    V("child on dialysis, ferritin 300: above the ceiling, still the nephrologist's call", {"ferritin": 300, "tsat": 20}, {"age": 12, "dialysis": True}, "iron", "adequate", (SEE,), CHILD_DIALYSIS),
    V("child on dialysis, TSAT 44", {"ferritin": 100, "tsat": 44}, {"age": 12, "dialysis": True}, "iron", "adequate", (SEE,), CHILD_DIALYSIS),
    V("child on dialysis, TSAT 45: the TSAT ceiling, still the nephrologist's call", {"ferritin": 100, "tsat": 45}, {"age": 12, "dialysis": True}, "iron", "high", (AVOID, SEE), CHILD_DIALYSIS),
    # pregnancy
    V("pregnant, ferritin 75", {"ferritin": 75, "tsat": 25}, PREGNANT, "iron", "low", (ORAL, SEE), AASM_ADULT),
    V("pregnant, ferritin 100.1", {"ferritin": 100.1, "tsat": 25}, PREGNANT, "iron", "adequate", (), AASM_ADULT),
    # kidney disease and dialysis
    V("dialysis, ferritin 199, TSAT 19", {"ferritin": 199, "tsat": 19}, DIALYSIS, "iron", "low", (IV, SEE), ESRD),
    V("dialysis, ferritin 200, TSAT 19", {"ferritin": 200, "tsat": 19}, DIALYSIS, "iron", "adequate", (), ESRD),
    V("dialysis, ferritin 150, TSAT 20", {"ferritin": 150, "tsat": 20}, DIALYSIS, "iron", "adequate", (), ESRD),
    V("dialysis, ferritin 300 alone", {"ferritin": 300}, DIALYSIS, "iron", "indeterminate", (SEE,), ONE_VALUE),
    V("kidney disease, ferritin 60, TSAT 25", {"ferritin": 60, "tsat": 25}, CKD, "iron", "low", (ORAL, IV, SEE), AASM_ADULT),
    # vitamin B12
    V("B12 179 pg/mL", {"vitamin_b12": 179}, ADULT, "vitamin_b12", "deficient", (SEE,), NICE_B12),
    V("B12 180 pg/mL", {"vitamin_b12": 180}, ADULT, "vitamin_b12", "low", ("check-mma", SEE), NICE_B12),
    V("B12 349 pg/mL", {"vitamin_b12": 349}, ADULT, "vitamin_b12", "low", ("check-mma", SEE), NICE_B12),
    V("B12 350 pg/mL", {"vitamin_b12": 350}, ADULT, "vitamin_b12", "adequate", (), NICE_B12),
    V("B12 132.9 pmol/L", {"vitamin_b12": "132.9 pmol/L"}, ADULT, "vitamin_b12", "deficient", (SEE,), NICE_B12),
    V("B12 133 pmol/L", {"vitamin_b12": "133 pmol/L"}, ADULT, "vitamin_b12", "low", ("check-mma", SEE), NICE_B12),
    V("normal B12, MMA 272 nmol/L", {"vitamin_b12": 500, "mma": "272 nmol/L"}, ADULT, "vitamin_b12", "deficient", (SEE,), MMA_ANY),
    V("normal B12, MMA 0.272 µmol/L (bare)", {"vitamin_b12": 500, "mma": 0.272}, ADULT, "vitamin_b12", "deficient", (SEE,), MMA_ANY),
    V("normal B12, MMA 0.27 µmol/L (bare)", {"vitamin_b12": 500, "mma": 0.27}, ADULT, "vitamin_b12", "adequate", (), MMA_ANY),
    V("normal B12, MMA 271 nmol/L", {"vitamin_b12": 500, "mma": "271 nmol/L"}, ADULT, "vitamin_b12", "adequate", (), MMA_ANY),
    V("borderline B12, MMA 272 nmol/L", {"vitamin_b12": 250, "mma": "272 nmol/L"}, ADULT, "vitamin_b12", "deficient", (SEE,), MMA_ANY),
    V("raised MMA, eGFR 59", {"vitamin_b12": 500, "mma": "400 nmol/L", "egfr": 59}, ADULT, "vitamin_b12", "indeterminate", (SEE,), MMA_KIDNEY),
    V("raised MMA, eGFR 60", {"vitamin_b12": 500, "mma": "400 nmol/L", "egfr": 60}, ADULT, "vitamin_b12", "deficient", (SEE,), MMA_KIDNEY),
    V("raised MMA on dialysis", {"vitamin_b12": 500, "mma": "400 nmol/L"}, DIALYSIS, "vitamin_b12", "indeterminate", (SEE,), MMA_KIDNEY),
    V("raised MMA, kidney disease", {"vitamin_b12": 300, "mma": "400 nmol/L"}, CKD, "vitamin_b12", "indeterminate", (SEE,), MMA_KIDNEY),
    V("MMA 272 nmol/L, no serum B12", {"mma": "272 nmol/L"}, ADULT, "vitamin_b12", "deficient", (SEE,), MMA_ANY),
    V("MMA 271 nmol/L, no serum B12", {"mma": "271 nmol/L"}, ADULT, "vitamin_b12", "indeterminate", (SEE,), MMA_ANY),
    V("MMA 800 nmol/L, eGFR 45, no serum B12", {"mma": "800 nmol/L", "egfr": 45}, ADULT, "vitamin_b12", "indeterminate", (SEE,), MMA_KIDNEY),
    V("homocysteine 60 alone", {"homocysteine": 60}, ADULT, "vitamin_b12", "indeterminate", (SEE,), MMA_ANY),
    V("low B12 on dialysis stays deficient", {"vitamin_b12": 150, "mma": "400 nmol/L"}, DIALYSIS, "vitamin_b12", "deficient", (SEE,), NICE_B12),
    # magnesium
    V("magnesium 0.74 mmol/L", {"magnesium": "0.74 mmol/L"}, ADULT, "magnesium", "deficient", (SEE,), MG),
    V("magnesium 0.75 mmol/L", {"magnesium": "0.75 mmol/L"}, ADULT, "magnesium", "adequate", (), MG),
    V("magnesium 0.84 mmol/L: a note only", {"magnesium": "0.84 mmol/L"}, ADULT, "magnesium", "adequate", (), MG),
    V("magnesium 0.95 mmol/L", {"magnesium": "0.95 mmol/L"}, ADULT, "magnesium", "adequate", (), MG),
    V("magnesium 0.96 mmol/L: a note only", {"magnesium": "0.96 mmol/L"}, ADULT, "magnesium", "adequate", (), MG_HIGH),
    V("magnesium 2.4 mg/dL (0.99 mmol/L)", {"magnesium": 2.4}, ADULT, "magnesium", "adequate", (), MG_HIGH),
    V("magnesium 1.0 mmol/L", {"magnesium": "1.0 mmol/L"}, ADULT, "magnesium", "adequate", (), MG_HIGH),
    V("magnesium 1.01 mmol/L: hypermagnesaemia", {"magnesium": "1.01 mmol/L"}, ADULT, "magnesium", "high", (SEE,), MG_HIGH),
    V("magnesium 2.0 mmol/L", {"magnesium": "2.0 mmol/L"}, ADULT, "magnesium", "high", (SEE,), MG_HIGH),
    V("magnesium 2.01 mmol/L: urgent", {"magnesium": "2.01 mmol/L"}, ADULT, "magnesium", "high", ("seek-urgent-care", SEE), MG_HIGH),
    V("magnesium 0.8 mmol/L with kidney disease", {"magnesium": "0.8 mmol/L"}, CKD, "magnesium", "adequate", ("magnesium-kidney-caution",), MG),
    # vitamin D (IOM 2011; the published ng/mL equivalents apply as published)
    V("25(OH)D 11.9 ng/mL", {"vitamin_d": 11.9}, ADULT, "vitamin_d", "deficient", (SEE,), IOM_VITD),
    V("25(OH)D 12 ng/mL", {"vitamin_d": 12}, ADULT, "vitamin_d", "low", (SEE,), IOM_VITD),
    V("25(OH)D 49.9 nmol/L", {"vitamin_d": "49.9 nmol/L"}, ADULT, "vitamin_d", "low", (SEE,), IOM_VITD),
    V("25(OH)D 20 ng/mL", {"vitamin_d": 20}, ADULT, "vitamin_d", "adequate", (), IOM_VITD),
    V("25(OH)D 50 ng/mL", {"vitamin_d": 50}, ADULT, "vitamin_d", "adequate", (), IOM_VITD),
    V("25(OH)D 50.1 ng/mL", {"vitamin_d": 50.1}, ADULT, "vitamin_d", "high", (SEE,), IOM_VITD),
    # vitamin B6 (IOM 1998)
    V("PLP 19.9 nmol/L", {"plp": 19.9}, ADULT, "vitamin_b6", "deficient", (SEE,), IOM_B6),
    V("PLP 20 nmol/L", {"plp": 20}, ADULT, "vitamin_b6", "low", (SEE,), IOM_B6),
    V("PLP 29.9 nmol/L", {"plp": 29.9}, ADULT, "vitamin_b6", "low", (SEE,), IOM_B6),
    V("PLP 30 nmol/L", {"plp": 30}, ADULT, "vitamin_b6", "adequate", (), IOM_B6),
    # folate
    V("serum folate 3.9 ng/mL", {"folate": 3.9}, ADULT, "folate", "low", (SEE,), FOLATE_SERUM),
    V("serum folate 4.0 ng/mL: WHO's published figure", {"folate": 4.0}, ADULT, "folate", "adequate", (), FOLATE_SERUM),
    V("serum folate 9.9 nmol/L", {"folate": "9.9 nmol/L"}, ADULT, "folate", "low", (SEE,), FOLATE_SERUM),
    V("serum folate 10 nmol/L", {"folate": "10 nmol/L"}, ADULT, "folate", "adequate", (), FOLATE_SERUM),
    V("RBC folate 339 nmol/L", {"rbc_folate": "339 nmol/L"}, ADULT, "folate", "low", (SEE,), FOLATE_RBC),
    V("RBC folate 340 nmol/L", {"rbc_folate": "340 nmol/L"}, ADULT, "folate", "adequate", (), FOLATE_RBC),
    V("RBC folate 226.4 nmol/L", {"rbc_folate": "226.4 nmol/L"}, ADULT, "folate", "deficient", (SEE,), FOLATE_RBC_DEF),
    V("RBC folate 226.5 nmol/L", {"rbc_folate": "226.5 nmol/L"}, ADULT, "folate", "low", (SEE,), FOLATE_RBC),
    # hemoglobin: WHO's cut-off for the person's age (a warning; iron needs ferritin or TSAT)
    V("age 1, Hb 10.4 g/dL", {"hemoglobin": 10.4}, {"age": 1}, "iron", "not_tested", (), WHO_HB, ("anaemia", "adult-thresholds")),
    V("age 1, Hb 10.5 g/dL", {"hemoglobin": 10.5}, {"age": 1}, "iron", "not_tested", (), WHO_HB, ("adult-thresholds",)),
    V("age 3, Hb 10.9 g/dL", {"hemoglobin": 10.9}, {"age": 3}, "iron", "not_tested", (), WHO_HB, ("anaemia", "adult-thresholds")),
    V("age 3, Hb 11.0 g/dL", {"hemoglobin": 11.0}, {"age": 3}, "iron", "not_tested", (), WHO_HB, ("adult-thresholds",)),
    V("age 10, Hb 11.4 g/dL", {"hemoglobin": 11.4}, CHILD_10, "iron", "not_tested", (), WHO_HB, ("anaemia", "adult-thresholds")),
    V("age 10, Hb 11.5 g/dL", {"hemoglobin": 11.5}, CHILD_10, "iron", "not_tested", (), WHO_HB, ("adult-thresholds",)),
    V("boy of 14, Hb 119 g/L", {"hemoglobin": "119 g/L"}, {"age": 14, "sex": "male"}, "iron", "not_tested", (), WHO_HB, ("anaemia", "adult-thresholds")),
    V("boy of 14, Hb 125 g/L: the child cut-off", {"hemoglobin": "125 g/L"}, {"age": 14, "sex": "male"}, "iron", "not_tested", (), WHO_HB, ("adult-thresholds",)),
    V("man of 15, Hb 125 g/L: the adult cut-off", {"hemoglobin": "125 g/L"}, {"age": 15, "sex": "male"}, "iron", "not_tested", (), WHO_HB, ("anaemia", "adult-thresholds")),
    V("woman, Hb 11.9 g/dL", {"hemoglobin": 11.9}, {"sex": "female"}, "iron", "not_tested", (), WHO_HB, ("anaemia",)),
    V("woman, Hb 12.0 g/dL", {"hemoglobin": 12.0}, {"sex": "female"}, "iron", "not_tested", (), WHO_HB, ()),
    V("woman, Hb 7.4 mmol/L (119.2 g/L)", {"hemoglobin": "7.4 mmol/L"}, {"sex": "female"}, "iron", "not_tested", (), WHO_HB, ("anaemia",)),
    V("woman, Hb 7.5 mmol/L (120.9 g/L)", {"hemoglobin": "7.5 mmol/L"}, {"sex": "female"}, "iron", "not_tested", (), WHO_HB, ()),
    V("man, Hb 12.9 g/dL", {"hemoglobin": 12.9}, {"sex": "male"}, "iron", "not_tested", (), WHO_HB, ("anaemia",)),
    V("man, Hb 13.0 g/dL", {"hemoglobin": 13.0}, {"sex": "male"}, "iron", "not_tested", (), WHO_HB, ()),
    V("pregnant, Hb 10.9 g/dL", {"hemoglobin": 10.9}, PREGNANT, "iron", "not_tested", (), WHO_HB, ("anaemia",)),
    V("pregnant, Hb 11.0 g/dL", {"hemoglobin": 11.0}, PREGNANT, "iron", "not_tested", (), WHO_HB, ()),
    V("infant (age 0): no WHO cut-off", {"hemoglobin": 8.0}, {"age": 0}, "iron", "not_tested", (), WHO_HB, ("adult-thresholds",)),
)
# fmt: on
