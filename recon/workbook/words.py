"""Every word a workbook shows or recon reads back, keyed by language: one catalogue for the template, the
reader, the live checks and the annotated copy.

``words("fr").header("amount")`` → ``"Besoin de financement (USD)"``; ``words("es").status_funded`` →
``"Financiado"``. Reading accepts the words of *every* language (a French workbook may say "Funded"), so the
reader asks :func:`any_language`: ``status_word("Financé")`` → ``"Funded"``.

Internal values stay language-neutral: entry fields (``"amount"``), statuses as recon's canonical
``"Requirement"``/``"Funded"``, HXL hashtags (:data:`HASHTAGS`). Sheet tab names (Entries, Summary, _meta,
_lists) are identifiers like the hashtags — formulas, locations and links name them — so they are the same in
every language; the Instructions tab is only shown, so it is translated.

Adding a language: a block in :data:`_CATALOGUE` below (copy ``"en"``, translate the values), its code in
:data:`recon.language.LANGUAGES`, and its names in ``recon/data/regions.json``, ``areas.json`` and ``populations.json`` (a
key named after the language beside ``"fr"``/``"es"``); its messages are a gettext catalogue,
``recon/locale/<code>/LC_MESSAGES/recon.po`` (``scripts/messages``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from recon.appeal.vocabulary import name_key
from recon.language import DEFAULT, LANGUAGES  # one list of languages for workbook words and messages

# Tab names: identifiers, the same in every language (see the module docstring).
ENTRIES = "Entries"
SUMMARY = "Summary"
META = "_meta"
LISTS = "_lists"
FINDINGS = "Findings"

# entry field → HXL hashtag (https://hxlstandard.org/standard/1-1final/dictionary/): the row under the
# headers that finds a column whatever language its header is in.
HASHTAGS = {
    "country": "#country+name",
    "area": "#sector+name",
    "amount": "#value+funding+required+usd",
    "status": "#status+funding",
    "populations": "#population+type",
    "source": "#meta+source",
    "notes": "#description+notes",
    "duplicate_ok": "#meta+duplicate+intended",
    "check": "#meta+check",
}
# Summary tables, left to right (None: a column without a tag).
COUNTRY_TABLE_HASHTAGS = ("#country+name", "#value+funding+required+usd+published", None,
                          "#value+funding+required+usd+computed", "#value+funding+required+usd+diff", "#meta+check")
AREA_TABLE_HASHTAGS = ("#sector+name", "#value+funding+required+usd+published", "#indicator+pct+published",
                       "#value+funding+required+usd+computed", "#value+funding+required+usd+diff", "#meta+check",
                       "#indicator+pct+expected", "#meta+check+pct", "#indicator+pct+read")

_CATALOGUE: dict[str, dict] = {
    "en": {
        "instructions_sheet": "Instructions",
        # field → (header the template writes, other headers accepted when reading)
        "headers": {
            "country": ("Country", ("Country name",)),
            "area": ("Programmatic area", ("Area",)),
            "amount": ("Funding requirement (USD)", ("Funding requirement (in USD)", "Amount (USD)", "Amount")),
            "status": ("Status", ()),
            "populations": ("Target populations", ()),
            "source": ("Source", ("Reference",)),
            "notes": ("Notes", ("Comments",)),
            "duplicate_ok": ("Intentional duplicate", ("Duplicate OK",)),
        },
        "check_header": "Check",
        "status_requirement": ("Requirement", ("required",)),
        "status_funded": ("Funded", ("fully funded",)),
        "yes": ("Yes", ("y", "true", "1", "x")),
        "summary_title": "Funding requirements for",
        "summary_hint": "Type published figures in the yellow cells exactly as printed; grey cells are computed "
                        "from Entries.",
        "country_table": ("Country", "Published USD", "", "Computed from Entries", "Difference", "Check"),
        "area_table": ("Programmatic area", "Published USD", "Published pie %", "Computed from Entries",
                       "Difference", "Check", "Pie % expected", "Pie check", "Pie % as read"),
        "total": "Total funding requirement",
        "country_table_sum": "Sum of the country table",
        "area_table_sum": "Sum of the area table",
        "chart_title": "Funding requirement by programmatic area (published USD)",
        "chart_note": "Pie chart of the published area table (Excel computes its own %; compare with column C)",
        "entries_when_written": "{n} entries when this workbook was written",
        "checks": {
            "ok": "OK", "mismatch": "MISMATCH", "missing": "MISSING", "see_total": "SEE TOTAL",
            "row_missing": "ROW MISSING", "no_label": "NO LABEL", "not_a_number": "NOT A NUMBER",
            "text_amount_row": "TEXT AMOUNT IN ENTRIES ROW ", "write": "WRITE",
            "text_amount": "TEXT AMOUNT", "funded_typed_as_amount": "FUNDED TYPED AS AMOUNT",
            "funded_with_amount": "FUNDED WITH AMOUNT", "no_amount": "NO AMOUNT",
            "negative_amount": "NEGATIVE AMOUNT", "not_whole_usd": "NOT WHOLE USD", "status_unknown": "STATUS?",
            "country_missing": "COUNTRY MISSING", "country_not_in_list": "COUNTRY NOT IN LIST",
            "area_not_in_list": "AREA NOT IN LIST", "duplicate": "DUPLICATE",
        },
        "lists": ("Countries", "Programmatic areas", "Statuses", "Target populations", "Countries of the region",
                  "Country as printed", "Canonical country", "Area as printed", "Canonical area",
                  "Areas as written"),
        "prompts": {
            "country": ("Country", "Pick the country (or Regional Programmes).", "Not in the country list",
                        "recon will report this name. Keep it only if it is printed this way."),
            "area": ("Programmatic area", "Pick one of the seven programmatic areas.", "Not a programmatic area",
                     "recon will report this area name."),
            "amount": ("USD", "Whole US dollars, e.g. 1200000. Leave empty when Status is Funded.",
                       "Whole USD amount", "Type a whole number ≥ 0 without text. For a funded line, leave this "
                       "empty and set Status to Funded."),
            "status": ("Status", "Requirement: needs funding (enter the amount). Funded: already fully funded "
                       "(no amount).", "", ""),
            "populations": ("Target populations", "Separate with semicolons, e.g. Governments and regional bodies; "
                            "Local NGOs and CSOs", "", ""),
            "duplicate_ok": ("Intentional duplicate", "Yes = a second, separate line for the same country and "
                             "area.", "", ""),
        },
        "instructions": {
            "title": "Migration Initiatives — funding requirements: {office}",
            "how": "How to fill this workbook",
            "steps": (
                "1. Sheet 'Entries': one row per country and programmatic area.",
                "2. Country and Programmatic area: pick from the dropdown. A name printed differently in your "
                "publication may be typed as printed; Excel warns, recon reports it with the canonical name.",
                "3. Funding requirement (USD): a whole number, no currency sign, e.g. 1200000.",
                "4. Status: 'Requirement' when the line needs funding; 'Funded' when it is already fully funded. "
                "A Funded line has NO amount.",
                "5. Target populations: the categories, separated by semicolons.",
                "6. Source: where the figure comes from (document, page or line). Notes: anything a reviewer "
                "should know, e.g. how a figure was settled.",
                "7. Intentional duplicate: 'Yes' only when a country really has two separate lines for one area.",
            ),
            "summary_steps": (
                "8. Sheet 'Summary': type what your region publishes — the country table, the programmatic-area "
                "table with the pie-chart percentages exactly as printed (e.g. 9, 2.8 or 10.68), and the total.",
                "   Grey columns recompute each figure from Entries. 'Check' turns red when they disagree.",
            ),
            "checking": "Checking",
            "without_python": "• Without Python: watch the 'Check' column at the right of 'Entries': each row says "
                              "what recon will report about it (e.g. TEXT AMOUNT, NO AMOUNT, WRITE 'Cameroon', "
                              "DUPLICATE), or OK.",
            "without_python_summary": " On 'Summary', the Check columns compare your published figures with the "
                                      "entries.",
            "tail": (
                "• With recon installed (pip install 'recon[excel]'), the 'Check this workbook' macro runs every "
                "rule and writes a 'Findings' sheet; offending cells are coloured. See README › Checking inside "
                "Excel.",
                "  To add the button: install the xlwings add-in (xlwings addin install), save this workbook as "
                ".xlsm and assign a button to a macro containing RunPython \"import recon.excel; "
                "recon.excel.main()\". Checking again clears the previous marks first.",
                "• No Python? HQ runs recon check FILE.xlsx --annotate OUT.xlsx and sends you the copy: the same "
                "Findings sheet, with the offending cells coloured and commented (your file is not changed).",
                "• HQ: recon check FILE.xlsx",
            ),
            "hashtags": "The grey row of #tags under the headers lets tools find each column in any language "
                        "(HXL, the Humanitarian Exchange Language): leave it in place.",
            "do_not_rename": "Do not rename sheets or headers; hidden sheets '_meta' and '_lists' drive the "
                             "dropdowns.",
        },
    },
    "fr": {
        "instructions_sheet": "Instructions",
        "headers": {
            "country": ("Pays", ()),
            "area": ("Domaine programmatique", ()),
            "amount": ("Besoin de financement (USD)", ("Montant (USD)", "Montant")),
            "status": ("Statut", ()),
            "populations": ("Populations cibles", ()),
            "source": ("Source", ("Référence",)),
            "notes": ("Remarques", ("Commentaires",)),
            "duplicate_ok": ("Doublon voulu", ("Doublon intentionnel",)),
        },
        "check_header": "Vérification",
        "status_requirement": ("Besoin", ("Requis",)),
        "status_funded": ("Financé", ("Entièrement financé",)),
        "yes": ("Oui", ()),
        "summary_title": "Besoins de financement :",
        "summary_hint": "Saisissez les chiffres publiés dans les cellules jaunes, tels qu'imprimés ; les cellules "
                        "grises sont calculées à partir d'Entries.",
        "country_table": ("Pays", "USD publiés", "", "Calculé depuis Entries", "Écart", "Vérification"),
        "area_table": ("Domaine programmatique", "USD publiés", "% publié (graphique)", "Calculé depuis Entries",
                       "Écart", "Vérification", "% attendu", "Vérification du %", "% tel que lu"),
        "total": "Besoin de financement total",
        "country_table_sum": "Somme du tableau des pays",
        "area_table_sum": "Somme du tableau des domaines",
        "chart_title": "Besoin de financement par domaine programmatique (USD publiés)",
        "chart_note": "Graphique du tableau des domaines publié (Excel calcule ses propres % ; comparez avec la "
                      "colonne C)",
        "entries_when_written": "{n} entrées à la création de ce classeur",
        "checks": {
            "ok": "OK", "mismatch": "ÉCART", "missing": "MANQUANT", "see_total": "VOIR LE TOTAL",
            "row_missing": "LIGNE MANQUANTE", "no_label": "SANS ÉTIQUETTE", "not_a_number": "PAS UN NOMBRE",
            "text_amount_row": "MONTANT EN TEXTE DANS ENTRIES, LIGNE ", "write": "ÉCRIRE",
            "text_amount": "MONTANT EN TEXTE", "funded_typed_as_amount": "FINANCÉ SAISI COMME MONTANT",
            "funded_with_amount": "FINANCÉ AVEC MONTANT", "no_amount": "SANS MONTANT",
            "negative_amount": "MONTANT NÉGATIF", "not_whole_usd": "USD NON ENTIER", "status_unknown": "STATUT ?",
            "country_missing": "PAYS MANQUANT", "country_not_in_list": "PAYS HORS LISTE",
            "area_not_in_list": "DOMAINE HORS LISTE", "duplicate": "DOUBLON",
        },
        "lists": ("Pays", "Domaines programmatiques", "Statuts", "Populations cibles", "Pays de la région",
                  "Pays tel qu'imprimé", "Pays à écrire", "Domaine tel qu'imprimé", "Domaine à écrire",
                  "Domaines acceptés"),
        "prompts": {
            "country": ("Pays", "Choisissez le pays (ou Programmes régionaux).", "Pas dans la liste des pays",
                        "recon signalera ce nom. Gardez-le seulement s'il est imprimé ainsi."),
            "area": ("Domaine programmatique", "Choisissez l'un des sept domaines programmatiques.",
                     "Pas un domaine programmatique", "recon signalera ce nom de domaine."),
            "amount": ("USD", "Dollars américains entiers, p. ex. 1200000. Laissez vide si le statut est Financé.",
                       "Montant entier en USD", "Saisissez un nombre entier ≥ 0 sans texte. Pour une ligne "
                       "financée, laissez vide et choisissez le statut Financé."),
            "status": ("Statut", "Besoin : à financer (saisissez le montant). Financé : déjà entièrement financé "
                       "(sans montant).", "", ""),
            "populations": ("Populations cibles", "Séparez par des points-virgules, p. ex. Gouvernements et "
                            "organismes régionaux; ONG et OSC locales", "", ""),
            "duplicate_ok": ("Doublon voulu", "Oui = une seconde ligne distincte pour le même pays et le même "
                             "domaine.", "", ""),
        },
        "instructions": {
            "title": "Migration Initiatives — besoins de financement : {office}",
            "how": "Comment remplir ce classeur",
            "steps": (
                "1. Feuille 'Entries' : une ligne par pays et par domaine programmatique.",
                "2. Pays et Domaine programmatique : choisissez dans la liste. Un nom imprimé autrement dans votre "
                "publication peut être saisi tel qu'imprimé ; Excel avertit, recon le signale avec le nom à écrire.",
                "3. Besoin de financement (USD) : un nombre entier, sans symbole monétaire, p. ex. 1200000.",
                "4. Statut : 'Besoin' quand la ligne doit être financée ; 'Financé' quand elle l'est déjà "
                "entièrement. Une ligne Financé n'a PAS de montant.",
                "5. Populations cibles : les catégories, séparées par des points-virgules.",
                "6. Source : d'où vient le chiffre (document, page ou ligne). Remarques : tout ce qu'un "
                "relecteur doit savoir, p. ex. comment un chiffre a été établi.",
                "7. Doublon voulu : 'Oui' seulement quand un pays a réellement deux lignes distinctes pour un "
                "même domaine.",
            ),
            "summary_steps": (
                "8. Feuille 'Summary' : saisissez ce que votre région publie — le tableau des pays, le tableau des "
                "domaines avec les pourcentages du graphique tels qu'imprimés (p. ex. 9, 2.8 ou 10.68), et le "
                "total.",
                "   Les colonnes grises recalculent chaque chiffre à partir d'Entries. 'Vérification' devient rouge "
                "en cas de désaccord.",
            ),
            "checking": "Vérifier",
            "without_python": "• Sans Python : regardez la colonne 'Vérification' à droite d''Entries' : chaque "
                              "ligne dit ce que recon signalera (p. ex. MONTANT EN TEXTE, SANS MONTANT, "
                              "ÉCRIRE 'Cameroun', DOUBLON), ou OK.",
            "without_python_summary": " Sur 'Summary', les colonnes Vérification comparent vos chiffres publiés aux "
                                      "entrées.",
            "tail": (
                "• Avec recon installé (pip install 'recon[excel]'), la macro 'Check this workbook' applique "
                "toutes les règles et écrit une feuille 'Findings' ; les cellules en cause sont colorées. Voir "
                "README › Checking inside Excel.",
                "  Pour ajouter le bouton : installez le complément xlwings (xlwings addin install), enregistrez "
                "ce classeur en .xlsm et associez un bouton à une macro contenant RunPython \"import recon.excel; "
                "recon.excel.main()\". Une nouvelle vérification efface d'abord les marques précédentes.",
                "• Pas de Python ? Le siège lance recon check FICHIER.xlsx --annotate COPIE.xlsx et vous renvoie "
                "la copie : la même feuille Findings, avec les cellules en cause colorées et commentées (votre "
                "fichier n'est pas modifié).",
                "• Siège : recon check FICHIER.xlsx",
            ),
            "hashtags": "La ligne grise de #étiquettes sous les en-têtes permet aux outils de retrouver chaque "
                        "colonne dans toute langue (HXL, Humanitarian Exchange Language) : laissez-la en place.",
            "do_not_rename": "Ne renommez ni les feuilles ni les en-têtes ; les feuilles masquées '_meta' et "
                             "'_lists' alimentent les listes déroulantes.",
        },
    },
    "es": {
        "instructions_sheet": "Instrucciones",
        "headers": {
            "country": ("País", ()),
            "area": ("Área programática", ()),
            "amount": ("Requerimiento de financiación (USD)", ("Requerimiento (USD)", "Importe (USD)", "Importe")),
            "status": ("Estado", ()),
            "populations": ("Poblaciones destinatarias", ()),
            "source": ("Fuente", ("Referencia",)),
            "notes": ("Notas", ("Comentarios",)),
            "duplicate_ok": ("Duplicado intencional", ()),
        },
        "check_header": "Verificación",
        "status_requirement": ("Requerimiento", ("Requerido",)),
        "status_funded": ("Financiado", ("Totalmente financiado",)),
        "yes": ("Sí", ("si",)),
        "summary_title": "Requerimientos de financiación:",
        "summary_hint": "Escriba las cifras publicadas en las celdas amarillas tal como están impresas; las celdas "
                        "grises se calculan a partir de Entries.",
        "country_table": ("País", "USD publicados", "", "Calculado a partir de Entries", "Diferencia",
                          "Verificación"),
        "area_table": ("Área programática", "USD publicados", "% publicado (gráfico)",
                       "Calculado a partir de Entries", "Diferencia", "Verificación", "% esperado",
                       "Verificación del %", "% leído"),
        "total": "Requerimiento total de financiación",
        "country_table_sum": "Suma de la tabla de países",
        "area_table_sum": "Suma de la tabla de áreas",
        "chart_title": "Requerimiento de financiación por área programática (USD publicados)",
        "chart_note": "Gráfico de la tabla de áreas publicada (Excel calcula sus propios %; compare con la "
                      "columna C)",
        "entries_when_written": "{n} entradas al crear este libro",
        "checks": {
            "ok": "OK", "mismatch": "DIFERENCIA", "missing": "FALTA", "see_total": "VER EL TOTAL",
            "row_missing": "FALTA UNA FILA", "no_label": "SIN ETIQUETA", "not_a_number": "NO ES UN NÚMERO",
            "text_amount_row": "IMPORTE EN TEXTO EN ENTRIES, FILA ", "write": "ESCRIBIR",
            "text_amount": "IMPORTE EN TEXTO", "funded_typed_as_amount": "FINANCIADO ESCRITO COMO IMPORTE",
            "funded_with_amount": "FINANCIADO CON IMPORTE", "no_amount": "SIN IMPORTE",
            "negative_amount": "IMPORTE NEGATIVO", "not_whole_usd": "USD NO ENTERO", "status_unknown": "¿ESTADO?",
            "country_missing": "FALTA EL PAÍS", "country_not_in_list": "PAÍS FUERA DE LA LISTA",
            "area_not_in_list": "ÁREA FUERA DE LA LISTA", "duplicate": "DUPLICADO",
        },
        "lists": ("Países", "Áreas programáticas", "Estados", "Poblaciones destinatarias", "Países de la región",
                  "País tal como se imprimió", "País a escribir", "Área tal como se imprimió", "Área a escribir",
                  "Áreas aceptadas"),
        "prompts": {
            "country": ("País", "Elija el país (o Programas regionales).", "No está en la lista de países",
                        "recon señalará este nombre. Consérvelo solo si está impreso así."),
            "area": ("Área programática", "Elija una de las siete áreas programáticas.",
                     "No es un área programática", "recon señalará este nombre de área."),
            "amount": ("USD", "Dólares estadounidenses enteros, p. ej. 1200000. Déjelo vacío si el estado es "
                       "Financiado.", "Importe entero en USD", "Escriba un número entero ≥ 0 sin texto. Para una "
                       "línea financiada, déjelo vacío y elija el estado Financiado."),
            "status": ("Estado", "Requerimiento: necesita financiación (escriba el importe). Financiado: ya "
                       "totalmente financiado (sin importe).", "", ""),
            "populations": ("Poblaciones destinatarias", "Separe con punto y coma, p. ej. Gobiernos y organismos "
                            "regionales; ONG y OSC locales", "", ""),
            "duplicate_ok": ("Duplicado intencional", "Sí = una segunda línea distinta para el mismo país y la "
                             "misma área.", "", ""),
        },
        "instructions": {
            "title": "Migration Initiatives — requerimientos de financiación: {office}",
            "how": "Cómo llenar este libro",
            "steps": (
                "1. Hoja 'Entries': una fila por país y área programática.",
                "2. País y Área programática: elija de la lista. Un nombre impreso de otra forma en su publicación "
                "puede escribirse tal como está impreso; Excel advierte, recon lo señala con el nombre a escribir.",
                "3. Requerimiento de financiación (USD): un número entero, sin símbolo de moneda, p. ej. 1200000.",
                "4. Estado: 'Requerimiento' cuando la línea necesita financiación; 'Financiado' cuando ya está "
                "totalmente financiada. Una línea Financiado NO lleva importe.",
                "5. Poblaciones destinatarias: las categorías, separadas por punto y coma.",
                "6. Fuente: de dónde viene la cifra (documento, página o línea). Notas: lo que un revisor deba "
                "saber, p. ej. cómo se estableció una cifra.",
                "7. Duplicado intencional: 'Sí' solo cuando un país tiene realmente dos líneas distintas para una "
                "misma área.",
            ),
            "summary_steps": (
                "8. Hoja 'Summary': escriba lo que publica su región — la tabla de países, la tabla de áreas con "
                "los porcentajes del gráfico tal como están impresos (p. ej. 9, 2.8 o 10.68) y el total.",
                "   Las columnas grises recalculan cada cifra a partir de Entries. 'Verificación' se pone roja "
                "cuando no coinciden.",
            ),
            "checking": "Verificar",
            "without_python": "• Sin Python: mire la columna 'Verificación' a la derecha de 'Entries': cada fila "
                              "dice lo que recon señalará (p. ej. IMPORTE EN TEXTO, SIN IMPORTE, "
                              "ESCRIBIR 'Camerún', DUPLICADO), u OK.",
            "without_python_summary": " En 'Summary', las columnas Verificación comparan sus cifras publicadas con "
                                      "las entradas.",
            "tail": (
                "• Con recon instalado (pip install 'recon[excel]'), la macro 'Check this workbook' aplica todas "
                "las reglas y escribe una hoja 'Findings'; las celdas afectadas se colorean. Véase README › "
                "Checking inside Excel.",
                "  Para añadir el botón: instale el complemento xlwings (xlwings addin install), guarde este libro "
                "como .xlsm y asigne un botón a una macro con RunPython \"import recon.excel; "
                "recon.excel.main()\". Una nueva verificación borra primero las marcas anteriores.",
                "• ¿Sin Python? La sede ejecuta recon check ARCHIVO.xlsx --annotate COPIA.xlsx y le devuelve la "
                "copia: la misma hoja Findings, con las celdas afectadas coloreadas y comentadas (su archivo no "
                "se modifica).",
                "• Sede: recon check ARCHIVO.xlsx",
            ),
            "hashtags": "La fila gris de #etiquetas bajo los encabezados permite a las herramientas encontrar cada "
                        "columna en cualquier idioma (HXL, Humanitarian Exchange Language): no la quite.",
            "do_not_rename": "No cambie el nombre de las hojas ni de los encabezados; las hojas ocultas '_meta' y "
                             "'_lists' alimentan las listas desplegables.",
        },
    },
}


@dataclass(frozen=True)
class Words:
    """The words of one language: ``words("fr").total`` → ``"Besoin de financement total"``."""

    lang: str
    _w: dict

    def __getattr__(self, key: str):
        try:
            return self._w[key]
        except KeyError:
            raise AttributeError(key) from None

    def header(self, field: str) -> str:
        return self._w["headers"][field][0]

    def check(self, key: str) -> str:
        """A live-check word: ``words("es").check("duplicate")`` → ``"DUPLICADO"``."""
        return self._w["checks"][key]

    @property
    def status_requirement(self) -> str:
        return self._w["status_requirement"][0]

    @property
    def status_funded(self) -> str:
        return self._w["status_funded"][0]

    @property
    def status_requirement_more(self) -> tuple[str, ...]:
        """Other words read as Requirement (``"required"``), never written."""
        return self._w["status_requirement"][1]

    @property
    def status_funded_more(self) -> tuple[str, ...]:
        return self._w["status_funded"][1]

    @property
    def statuses(self) -> tuple[str, str]:
        return self.status_requirement, self.status_funded

    @property
    def yes(self) -> str:
        return self._w["yes"][0]


def check_language(lang: str) -> str:
    """``"FR"`` → ``"fr"``; ``ValueError`` naming the languages for anything else."""
    code = (lang or DEFAULT).strip().lower()
    if code not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}")
    return code


@cache
def words(lang: str = DEFAULT) -> Words:
    return Words(check_language(lang), _CATALOGUE[check_language(lang)])


@dataclass(frozen=True)
class AnyLanguage:
    """What recon accepts when reading, in every language at once (keys are :func:`name_key` folded)."""

    headers: dict[str, str]  # header key → entry field
    hashtags: dict[str, str]  # hashtag (without attributes order) → entry field
    requirement: frozenset[str]  # casefolded status words meaning Requirement ("" included)
    funded: frozenset[str]  # casefolded status words meaning Funded
    funded_amount: frozenset[str]  # casefolded words that mean "funded" typed in the amount column
    yes: frozenset[str]
    country_tables: frozenset[str]  # first header of the Summary's country table, as typed
    area_tables: frozenset[str]
    published_usd: frozenset[str]
    totals: frozenset[str]  # name_key of the total's label

    def status_word(self, text: str) -> str:
        """A status as typed → recon's canonical status: ``"Financé"`` → ``"Funded"``; other text unchanged."""
        folded = text.casefold()
        return "Requirement" if folded in self.requirement else "Funded" if folded in self.funded else text

    def field_of_hashtag(self, cell: str) -> str | None:
        """``"#value +usd +funding +required"`` → ``"amount"``: HXL attributes are unordered and spaced freely."""
        return self.hashtags.get(hashtag_key(cell))


def hashtag_key(cell: str) -> str:
    """``"#Value +usd+funding"`` → ``"#value+funding+usd"`` (tag, then attributes sorted, lower case)."""
    parts = "".join(cell.split()).lower().split("+")
    return "+".join([parts[0], *sorted(p for p in parts[1:] if p)])


def is_hashtag_row(cells) -> bool:
    """A row whose non-blank cells are all HXL hashtags (at least two)."""
    texts = [c.strip() for c in cells if isinstance(c, str) and c.strip()]
    return len(texts) >= 2 and all(t.startswith("#") and len(t) > 1 and t[1:2].isalpha() for t in texts) and \
        len(texts) == sum(1 for c in cells if c not in (None, ""))


@cache
def any_language() -> AnyLanguage:
    every = [words(lang) for lang in LANGUAGES]
    headers = {}
    for w in every:
        for field, (head, more) in w.headers.items():
            for h in (head, *more):
                headers.setdefault(name_key(h), field)

    def folded(key: str) -> frozenset[str]:
        return frozenset(v.casefold() for w in every for v in (w._w[key][0], *w._w[key][1]))

    return AnyLanguage(
        headers=headers,
        hashtags={hashtag_key(t): f for f, t in HASHTAGS.items() if f != "check"},
        requirement=folded("status_requirement") | {""},
        funded=folded("status_funded"),
        funded_amount=folded("status_funded"),
        yes=folded("yes"),
        country_tables=frozenset(w.country_table[0] for w in every),
        area_tables=frozenset(w.area_table[0] for w in every),
        published_usd=frozenset(w.country_table[1] for w in every),
        totals=frozenset(name_key(w.total) for w in every),
    )
