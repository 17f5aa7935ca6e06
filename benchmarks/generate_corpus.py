"""Generate a synthetic corpus of aid news articles for the ingest / API / export benchmarks.

    generate(n, out_dir, seed=0) -> Path    writes n .txt articles and manifest.json; returns the manifest

    python benchmarks/generate_corpus.py N OUT_DIR [--seed S]

The articles are short news items (1-4 KB) in the eight languages aidgraph reads (en, de, sv, fr, nb,
da, nl, pl), assembled from per-language sentence templates filled with random donors, ministers,
weapon systems, quantities, amounts (written the local way), dates and meetings. They read like
the real thing to the extractor, but they are random: use them for speed, never for quality.
The output is deterministic for a given (n, seed).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

LANGS = ("en", "de", "sv", "fr", "nb", "da", "nl", "pl")
FIRST_DAY = date(2022, 4, 26)
LAST_DAY = date(2025, 10, 31)
PUBLISHERS = ("Northbridge Wire", "Baltic Ledger", "Continental Post", "Harbour Times", "Meridian Daily")

# Donors: home currency and a defence minister (random articles need not match who held the post then).
DONORS = {
    "DE": ("EUR", "Boris Pistorius"),
    "GB": ("GBP", "John Healey"),
    "SE": ("SEK", "Pål Jonson"),
    "NO": ("NOK", "Tore O. Sandvik"),
    "DK": ("DKK", "Troels Lund Poulsen"),
    "NL": ("EUR", "Ruben Brekelmans"),
    "PL": ("PLN", "Władysław Kosiniak-Kamysz"),
    "FR": ("EUR", "Sébastien Lecornu"),
    "US": ("USD", "Lloyd Austin"),
    "FI": ("EUR", "Antti Häkkänen"),
}
# (system, category, noun key); the noun is looked up per language in LANG_DATA[lang]["nouns"]
SYSTEMS = (
    ("IRIS-T SLM", "air_defence", "air_defence"),
    ("Patriot", "air_defence", "battery"),
    ("NASAMS", "air_defence", "launcher"),
    ("Piorun", "air_defence", "launcher"),
    ("CAESAR", "artillery", "howitzer"),
    ("Archer", "artillery", "howitzer"),
    ("M109", "artillery", "howitzer"),
    ("Leopard 2", "armour", "tank"),
    ("CV90", "armour", "ifv"),
    ("Marder", "armour", "ifv"),
)

# Everything language-specific, one block per language. Templates use the slots
# {donor} {minister} {qty} {noun} {system} {money} {date} {meeting} {city} {n_countries} {drones} {drone_qty}.
LANG_DATA = {
    "en": {
        "countries": {
            "DE": "Germany",
            "GB": "Britain",
            "SE": "Sweden",
            "NO": "Norway",
            "DK": "Denmark",
            "NL": "The Netherlands",
            "PL": "Poland",
            "FR": "France",
            "US": "The United States",
            "FI": "Finland",
        },
        "nouns": {
            "air_defence": "air defence systems",
            "battery": "air defence batteries",
            "launcher": "launchers",
            "howitzer": "howitzers",
            "tank": "tanks",
            "ifv": "infantry fighting vehicles",
            "drones": "drones",
        },
        "meetings": {"UDCG": "the Ukraine Defense Contact Group", "COTW": "the coalition of the willing"},
        "city": "Brussels",
        "months": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "date": "{day} {month} {year}",
        "money": {
            "million": "{n} million",
            "billion": "{n} billion",
            "decimal": ".",
            "symbol": {"EUR": "€", "GBP": "£", "USD": "$"},
            "currency": {"SEK": "SEK", "NOK": "NOK", "DKK": "DKK", "PLN": "PLN"},
        },
        "meeting": "Defence ministers from {n_countries} countries met in {city} on {date} for a session of "
        "{meeting}.",
        "pledge": "{donor} pledged {qty} {system} {noun} to Ukraine, defence minister {minister} said.",
        "money_pledge": "{donor} also committed {money} in military aid for this year.",
        "delivered": "{donor} has already delivered {qty} {system} {noun}, according to officials.",
        "planned": "{donor} plans to send {drone_qty} {drones} once production is complete.",
        "fillers": (
            "Officials said the next steps would depend on production capacity and on how quickly stocks "
            "can be replenished across Europe.",
            "Ukrainian commanders have repeatedly asked for more air defence ahead of the winter, warning "
            "that missile and drone attacks on power plants are becoming heavier every month.",
            "Diplomats described the talks as constructive, although several delegations wanted clearer "
            "timelines for deliveries that were promised earlier in the year.",
        ),
    },
    "de": {
        "countries": {
            "DE": "Deutschland",
            "GB": "Großbritannien",
            "SE": "Schweden",
            "NO": "Norwegen",
            "DK": "Dänemark",
            "NL": "Die Niederlande",
            "PL": "Polen",
            "FR": "Frankreich",
            "US": "Die USA",
            "FI": "Finnland",
        },
        "nouns": {
            "air_defence": "Luftverteidigungssysteme",
            "battery": "Flugabwehrbatterien",
            "launcher": "Startgeräte",
            "howitzer": "Haubitzen",
            "tank": "Kampfpanzer",
            "ifv": "Schützenpanzer",
            "drones": "Drohnen",
        },
        "meetings": {"UDCG": "der Ukraine-Kontaktgruppe", "COTW": "der Koalition der Willigen"},
        "city": "Brüssel",
        "months": [
            "Januar",
            "Februar",
            "März",
            "April",
            "Mai",
            "Juni",
            "Juli",
            "August",
            "September",
            "Oktober",
            "November",
            "Dezember",
        ],
        "date": "{day}. {month} {year}",
        "money": {
            "million": "{n} Millionen {currency}",
            "billion": "{n} Milliarden {currency}",
            "decimal": ",",
            "currency": {
                "EUR": "Euro",
                "GBP": "Pfund",
                "USD": "Dollar",
                "SEK": "schwedische Kronen",
                "NOK": "norwegische Kronen",
                "DKK": "dänische Kronen",
                "PLN": "Złoty",
            },
        },
        "meeting": "Die Verteidigungsminister aus {n_countries} Staaten kamen am {date} in {city} zu einer "
        "Sitzung {meeting} zusammen.",
        "pledge": "{donor} sagte der Ukraine {qty} {noun} vom Typ {system} zu, erklärte "
        "Verteidigungsminister {minister}.",
        "money_pledge": "Außerdem stellt {donor} in diesem Jahr {money} an Militärhilfe bereit.",
        "delivered": "{donor} hat nach Angaben der Regierung bereits {qty} {system}-{noun} geliefert.",
        "planned": "{donor} plant, {drone_qty} {drones} zu liefern, sobald die Produktion abgeschlossen ist.",
        "fillers": (
            "Wie es hieß, hängt das weitere Vorgehen von den Produktionskapazitäten der europäischen "
            "Rüstungsindustrie ab.",
            "Die ukrainische Armee fordert seit Wochen mehr Flugabwehr vor dem Winter, weil die Angriffe auf "
            "Kraftwerke mit Raketen und Drohnen zunehmen.",
            "Diplomaten sprachen von konstruktiven Gesprächen, mehrere Delegationen verlangten "
            "jedoch klarere Zeitpläne für bereits zugesagte Lieferungen.",
        ),
    },
    "sv": {
        "countries": {
            "DE": "Tyskland",
            "GB": "Storbritannien",
            "SE": "Sverige",
            "NO": "Norge",
            "DK": "Danmark",
            "NL": "Nederländerna",
            "PL": "Polen",
            "FR": "Frankrike",
            "US": "USA",
            "FI": "Finland",
        },
        "nouns": {
            "air_defence": "luftvärnssystem",
            "battery": "luftvärnsbatterier",
            "launcher": "avfyrningsenheter",
            "howitzer": "haubitsar",
            "tank": "stridsvagnar",
            "ifv": "stridsfordon",
            "drones": "drönare",
        },
        "meetings": {"UDCG": "Ramsteingruppen", "COTW": "koalitionen av villiga"},
        "city": "Bryssel",
        "months": [
            "januari",
            "februari",
            "mars",
            "april",
            "maj",
            "juni",
            "juli",
            "augusti",
            "september",
            "oktober",
            "november",
            "december",
        ],
        "date": "den {day} {month} {year}",
        "money": {
            "million": "{n} miljoner {currency}",
            "billion": "{n} miljarder {currency}",
            "decimal": ",",
            "currency": {
                "EUR": "euro",
                "GBP": "pund",
                "USD": "dollar",
                "SEK": "kronor",
                "NOK": "norska kronor",
                "DKK": "danska kronor",
                "PLN": "zloty",
            },
        },
        "meeting": "Försvarsministrar från {n_countries} länder möttes i {city} {date} inom ramen för "
        "{meeting}.",
        "pledge": "{donor} lovade Ukraina {qty} {noun} av typen {system}, meddelade försvarsminister "
        "{minister}.",
        "money_pledge": "{donor} bidrar dessutom med {money} i militärt stöd i år.",
        "delivered": "{donor} har redan levererat {qty} {system}-{noun}, uppger regeringen.",
        "planned": "{donor} planerar att skicka {drone_qty} {drones} när produktionen är klar.",
        "fillers": (
            "Enligt tjänstemän beror de kommande stegen på produktionskapaciteten i den europeiska "
            "försvarsindustrin.",
            "Ukrainska befälhavare har länge bett om mer luftvärn inför vintern, eftersom anfallen mot "
            "kraftverk med robotar och drönare blir allt tyngre.",
            "Diplomater beskrev samtalen som konstruktiva, men flera delegationer ville se tydligare "
            "tidsplaner för leveranser som redan utlovats.",
        ),
    },
    "fr": {
        "countries": {
            "DE": "L'Allemagne",
            "GB": "Le Royaume-Uni",
            "SE": "La Suède",
            "NO": "La Norvège",
            "DK": "Le Danemark",
            "NL": "Les Pays-Bas",
            "PL": "La Pologne",
            "FR": "La France",
            "US": "Les États-Unis",
            "FI": "La Finlande",
        },
        "nouns": {
            "air_defence": "systèmes de défense aérienne",
            "battery": "batteries antiaériennes",
            "launcher": "lanceurs",
            "howitzer": "canons",
            "tank": "chars",
            "ifv": "véhicules de combat d'infanterie",
            "drones": "drones",
        },
        "meetings": {
            "UDCG": "groupe de contact pour la défense de l'Ukraine",
            "COTW": "la coalition des volontaires",
        },
        "city": "Bruxelles",
        "months": [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ],
        "date": "le {day} {month} {year}",
        "money": {
            "million": "{n} millions {currency}",
            "billion": "{n} milliards {currency}",
            "decimal": ",",
            "currency": {
                "EUR": "d'euros",
                "GBP": "de livres sterling",
                "USD": "de dollars",
                "SEK": "de couronnes suédoises",
                "NOK": "de couronnes norvégiennes",
                "DKK": "de couronnes danoises",
                "PLN": "de zlotys",
            },
        },
        "meeting": "Les ministres de la Défense de {n_countries} pays se sont réunis à {city} {date} dans le "
        "cadre de {meeting}.",
        "pledge": "{donor} a promis à l'Ukraine {qty} {noun} {system}, a déclaré le ministre {minister}.",
        "money_pledge": "{donor} consacre en outre {money} d'aide militaire cette année.",
        "delivered": "{donor} a déjà livré {qty} {noun} {system}, selon le gouvernement.",
        "planned": "{donor} prévoit d'envoyer {drone_qty} {drones} une fois la production terminée.",
        "fillers": (
            "Selon des responsables, la suite dépendra des capacités de production de l'industrie "
            "européenne de défense.",
            "Les commandants ukrainiens réclament davantage de défense aérienne avant l'hiver, alors que les "
            "frappes de missiles et de drones contre les centrales se multiplient.",
            "Des diplomates ont qualifié les discussions de constructives, même si plusieurs délégations "
            "souhaitaient un calendrier plus clair pour les livraisons promises.",
        ),
    },
    "nb": {
        "countries": {
            "DE": "Tyskland",
            "GB": "Storbritannia",
            "SE": "Sverige",
            "NO": "Norge",
            "DK": "Danmark",
            "NL": "Nederland",
            "PL": "Polen",
            "FR": "Frankrike",
            "US": "USA",
            "FI": "Finland",
        },
        "nouns": {
            "air_defence": "luftvernsystemer",
            "battery": "luftvernbatterier",
            "launcher": "utskytere",
            "howitzer": "haubitser",
            "tank": "stridsvogner",
            "ifv": "stormpanservogner",
            "drones": "droner",
        },
        "meetings": {"UDCG": "Kontaktgruppen for Ukrainas forsvar", "COTW": "koalisjonen av villige"},
        "city": "Brussel",
        "months": [
            "januar",
            "februar",
            "mars",
            "april",
            "mai",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "desember",
        ],
        "date": "{day}. {month} {year}",
        "money": {
            "million": "{n} millioner {currency}",
            "billion": "{n} milliarder {currency}",
            "decimal": ",",
            "currency": {
                "EUR": "euro",
                "GBP": "pund",
                "USD": "dollar",
                "SEK": "svenske kroner",
                "NOK": "kroner",
                "DKK": "danske kroner",
                "PLN": "zloty",
            },
        },
        "meeting": "Forsvarsministre fra {n_countries} land møttes i {city} {date} i regi av {meeting}.",
        "pledge": "{donor} lovet Ukraina {qty} {system}-{noun}, opplyste forsvarsminister {minister}.",
        "money_pledge": "{donor} bidrar i tillegg med {money} i militær støtte i år.",
        "delivered": "{donor} har allerede levert {qty} {system}-{noun}, ifølge regjeringen.",
        "planned": "{donor} planlegger å sende {drone_qty} {drones} når produksjonen er ferdig.",
        "fillers": (
            "Ifølge embetsfolk avhenger de neste stegene av produksjonskapasiteten i europeisk "
            "forsvarsindustri.",
            "Ukrainske befal har lenge bedt om mer luftvern før vinteren, fordi angrepene på kraftverk med "
            "raketter og droner blir stadig tyngre.",
            "Diplomater beskrev samtalene som konstruktive, men flere delegasjoner ønsket klarere tidsplaner "
            "for leveranser som allerede er lovet.",
        ),
    },
    "da": {
        "countries": {
            "DE": "Tyskland",
            "GB": "Storbritannien",
            "SE": "Sverige",
            "NO": "Norge",
            "DK": "Danmark",
            "NL": "Holland",
            "PL": "Polen",
            "FR": "Frankrig",
            "US": "USA",
            "FI": "Finland",
        },
        "nouns": {
            "air_defence": "luftværnssystemer",
            "battery": "luftværnsbatterier",
            "launcher": "affyringsramper",
            "howitzer": "haubitser",
            "tank": "kampvogne",
            "ifv": "kampkøretøjer",
            "drones": "droner",
        },
        "meetings": {"UDCG": "Kontaktgruppen for Ukraines forsvar", "COTW": "koalitionen af villige"},
        "city": "Bruxelles",
        "months": [
            "januar",
            "februar",
            "marts",
            "april",
            "maj",
            "juni",
            "juli",
            "august",
            "september",
            "oktober",
            "november",
            "december",
        ],
        "date": "den {day}. {month} {year}",
        "money": {
            "million": "{n} millioner {currency}",
            "billion": "{n} milliarder {currency}",
            "decimal": ",",
            "currency": {
                "EUR": "euro",
                "GBP": "pund",
                "USD": "dollar",
                "SEK": "svenske kroner",
                "NOK": "norske kroner",
                "DKK": "kroner",
                "PLN": "zloty",
            },
        },
        "meeting": "Forsvarsministre fra {n_countries} lande mødtes i {city} {date} i regi af {meeting}.",
        "pledge": "{donor} lovede Ukraine {qty} {system}-{noun}, oplyste forsvarsminister {minister}.",
        "money_pledge": "{donor} bidrager desuden med {money} i militær støtte i år.",
        "delivered": "{donor} har allerede leveret {qty} {system}-{noun}, oplyser regeringen.",
        "planned": "{donor} planlægger at sende {drone_qty} {drones}, når produktionen er færdig.",
        "fillers": (
            "Ifølge embedsfolk afhænger de næste skridt af produktionskapaciteten i den europæiske "
            "forsvarsindustri.",
            "Ukrainske officerer har længe bedt om mere luftværn før vinteren, fordi angrebene på "
            "kraftværker med missiler og droner bliver stadig hårdere.",
            "Diplomater kaldte drøftelserne konstruktive, men flere delegationer ønskede klarere tidsplaner "
            "for leverancer, der allerede er lovet.",
        ),
    },
    "nl": {
        "countries": {
            "DE": "Duitsland",
            "GB": "Groot-Brittannië",
            "SE": "Zweden",
            "NO": "Noorwegen",
            "DK": "Denemarken",
            "NL": "Nederland",
            "PL": "Polen",
            "FR": "Frankrijk",
            "US": "De Verenigde Staten",
            "FI": "Finland",
        },
        "nouns": {
            "air_defence": "luchtverdedigingssystemen",
            "battery": "luchtafweerbatterijen",
            "launcher": "lanceerinrichtingen",
            "howitzer": "houwitsers",
            "tank": "tanks",
            "ifv": "pantservoertuigen",
            "drones": "drones",
        },
        "meetings": {"UDCG": "de Ramstein-groep", "COTW": "de coalitie van bereidwilligen"},
        "city": "Brussel",
        "months": [
            "januari",
            "februari",
            "maart",
            "april",
            "mei",
            "juni",
            "juli",
            "augustus",
            "september",
            "oktober",
            "november",
            "december",
        ],
        "date": "{day} {month} {year}",
        "money": {
            "million": "{n} miljoen {currency}",
            "billion": "{n} miljard {currency}",
            "decimal": ",",
            "currency": {
                "EUR": "euro",
                "GBP": "pond",
                "USD": "dollar",
                "SEK": "Zweedse kronen",
                "NOK": "Noorse kronen",
                "DKK": "Deense kronen",
                "PLN": "zloty",
            },
        },
        "meeting": "Ministers van Defensie uit {n_countries} landen kwamen op {date} in {city} bijeen voor "
        "een vergadering van {meeting}.",
        "pledge": "{donor} beloofde Oekraïne {qty} {system}-{noun}, zei minister {minister}.",
        "money_pledge": "{donor} trekt daarnaast dit jaar {money} uit voor militaire steun.",
        "delivered": "{donor} heeft volgens de regering al {qty} {system}-{noun} geleverd.",
        "planned": "{donor} is van plan {drone_qty} {drones} te sturen zodra de productie klaar is.",
        "fillers": (
            "Volgens functionarissen hangen de volgende stappen af van de productiecapaciteit van de "
            "Europese defensie-industrie.",
            "Oekraïense commandanten vragen al lang om meer luchtverdediging voor de winter, omdat de "
            "aanvallen op centrales met raketten en drones steeds zwaarder worden.",
            "Diplomaten noemden de gesprekken constructief, maar verschillende delegaties wilden "
            "duidelijkere tijdschema's voor leveringen die al eerder waren toegezegd.",
        ),
    },
    "pl": {
        "countries": {
            "DE": "Niemcy",
            "GB": "Wielka Brytania",
            "SE": "Szwecja",
            "NO": "Norwegia",
            "DK": "Dania",
            "NL": "Holandia",
            "PL": "Polska",
            "FR": "Francja",
            "US": "Stany Zjednoczone",
            "FI": "Finlandia",
        },
        "nouns": {
            "air_defence": "systemów obrony powietrznej",
            "battery": "baterii obrony powietrznej",
            "launcher": "wyrzutni",
            "howitzer": "haubic",
            "tank": "czołgów",
            "ifv": "bojowych wozów piechoty",
            "drones": "dronów",
        },
        "meetings": {"UDCG": "grupy kontaktowej Ramstein", "COTW": "koalicji chętnych"},
        "city": "Brukseli",
        "months": [
            "stycznia",
            "lutego",
            "marca",
            "kwietnia",
            "maja",
            "czerwca",
            "lipca",
            "sierpnia",
            "września",
            "października",
            "listopada",
            "grudnia",
        ],
        "date": "{day} {month} {year} r.",
        "money": {
            "million": "{n} mln {currency}",
            "billion": "{n} mld {currency}",
            "decimal": ",",
            "currency": {
                "EUR": "euro",
                "GBP": "funtów",
                "USD": "dolarów",
                "SEK": "koron szwedzkich",
                "NOK": "koron norweskich",
                "DKK": "koron duńskich",
                "PLN": "zł",
            },
        },
        "meeting": "Ministrowie obrony z {n_countries} państw spotkali się {date} w {city} na posiedzeniu "
        "{meeting}.",
        "pledge": "Kraj {donor} obiecał Ukrainie {qty} {noun} {system}, poinformował minister {minister}.",
        "money_pledge": "Kraj {donor} przeznaczy ponadto {money} na pomoc wojskową w tym roku.",
        "delivered": "Kraj {donor} przekazał już {qty} {noun} {system}, podał rząd.",
        "planned": "Kraj {donor} planuje wysłać {drone_qty} {drones}, gdy produkcja zostanie zakończona.",
        "fillers": (
            "Według urzędników kolejne kroki zależą od mocy produkcyjnych europejskiego przemysłu "
            "zbrojeniowego.",
            "Ukraińscy dowódcy od dawna proszą o więcej obrony powietrznej przed zimą, ponieważ ataki rakiet "
            "i dronów na elektrownie są coraz cięższe.",
            "Dyplomaci nazwali rozmowy konstruktywnymi, ale kilka delegacji chciało jaśniejszego "
            "harmonogramu dostaw, które obiecano już wcześniej.",
        ),
    },
}


def _date_phrase(data: dict, day: date) -> str:
    return data["date"].format(day=day.day, month=data["months"][day.month - 1], year=day.year)


def _money(data: dict, amount: float, currency: str) -> str:
    style = data["money"]
    scale, unit = ("billion", 1e9) if amount >= 1e9 else ("million", 1e6)
    number = f"{round(amount / unit, 1):g}".replace(".", style["decimal"])
    if currency in style.get("symbol", {}):
        return style["symbol"][currency] + style[scale].format(n=number)
    if "symbol" in style:  # English writes other currencies as a code before the number
        return f"{style['currency'][currency]} " + style[scale].format(n=number)
    return style[scale].format(n=number, currency=style["currency"][currency])


def _paragraphs(rng: random.Random, lang: str, day: date) -> list[str]:
    """A meeting lead, one paragraph of facts per donor, and background sentences, shuffled a little."""
    data = LANG_DATA[lang]
    slots = {
        "date": _date_phrase(data, day),
        "city": data["city"],
        "n_countries": str(rng.randint(30, 55)),
        "meeting": data["meetings"][rng.choice(("UDCG", "COTW"))],
        "drones": data["nouns"]["drones"],
    }
    paragraphs = [data["meeting"].format(**slots)]
    for code in rng.sample(sorted(DONORS), rng.randint(5, 8)):
        currency, minister = DONORS[code]
        system, _category, noun = rng.choice(SYSTEMS)
        amount = rng.choice((0.15, 0.25, 0.4, 0.5, 1.2, 1.5, 2.0, 5.7)) * 1e9
        facts = dict(
            slots,
            donor=data["countries"][code],
            minister=minister,
            system=system,
            noun=data["nouns"][noun],
            qty=str(rng.choice((2, 3, 4, 6, 8, 12, 20))),
            drone_qty=str(rng.choice((500, 1000, 2500, 10000))),
            money=_money(data, amount, rng.choice((currency, "EUR"))),
        )
        kinds = rng.sample(("pledge", "money_pledge", "delivered", "planned"), rng.randint(2, 4))
        paragraphs.append(" ".join(data[kind].format(**facts) for kind in kinds))
    for filler in rng.sample(data["fillers"], rng.randint(1, len(data["fillers"]))):
        paragraphs.insert(rng.randint(1, len(paragraphs)), filler)
    return paragraphs


def generate(n: int, out_dir: str | Path, seed: int = 0) -> Path:
    """Write ``n`` synthetic articles and a ``manifest.json`` into ``out_dir``; return the manifest path.

    Deterministic for a given ``(n, seed)``: the same call always writes the same bytes.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    width = max(5, len(str(n)))
    manifest = []
    for number in range(1, n + 1):
        lang = LANGS[(number - 1) % len(LANGS)] if rng.random() < 0.5 else rng.choice(LANGS)
        day = FIRST_DAY + timedelta(days=rng.randint(0, span))
        name = f"gen_{number:0{width}d}_{lang}.txt"
        paragraphs = _paragraphs(rng, lang, day)
        (out / name).write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
        manifest.append(
            {
                "file": name,
                "lang": lang,
                "published": day.isoformat(),
                "publisher": rng.choice(PUBLISHERS),
                "url": f"https://example.org/generated/{seed}/{number}",
                "title": paragraphs[0][:80],
            }
        )
    manifest_path = out / "manifest.json"
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return manifest_path


def main(argv: list[str] | None = None) -> int:
    """Command line: ``generate_corpus.py N OUT_DIR [--seed S]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of articles")
    parser.add_argument("out_dir", help="folder to write the articles and manifest.json into")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = generate(args.n, args.out_dir, seed=args.seed)
    size = sum(p.stat().st_size for p in Path(args.out_dir).glob("gen_*.txt"))
    print(
        f"wrote {args.n} articles ({size / 1e6:.2f} MB) and {manifest} in "
        f"{time.perf_counter() - started:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
