#!/usr/bin/env python3
"""Write a German-style civil code in Markdown, and its later versions: for the measurement
scripts (bench-import.sh, compare-real-text.sh), not for tests.

    scripts/gen-code.py [--sections 2500] [--versions 20] [--flat] OUT_DIR

writes OUT_DIR/v1.md … OUT_DIR/vN.md. Version 1 is a code of about 600 bytes a section (2,500
sections: about 1.5 MB) in the shape such codes are published in:

    # Bürgerliches Gesetzbuch
    ## Buch 1 Allgemeiner Teil
    ### Abschnitt 1 Personen
    #### § 1 Beginn der Rechtsfähigkeit
    (1) Die Rechtsfähigkeit des Menschen beginnt …
    (2) … wie folgt:
    1. …;
    2. ….

with a run of sections §§ 312a–312i inserted after § 312, as amended codes have. Each later
version changes some sections, cumulatively: a few paragraphs reworded, one section inserted
(§ Na after § N); version 7 adds the phrase "nach Maßgabe der Durchführungsverordnung" to five
sections (the phrase `log -S` looks for); version 12 inserts a new § 312a and renumbers the
run after it by two letters (§ 312a–§ 312i become § 312c–§ 312k: the shape of a real
renumbering); version 16 repeals three sections ("(weggefallen)").

--flat writes every section as `## § N — Title` under the title, without books, divisions or
points: a shape the importer read before it read every heading level.
Everything is deterministic (fixed seeds).
"""

import argparse
import os
import random

WORDS = (
    "der die das und oder nicht wenn soweit Schuldner Gläubiger Vertrag Leistung Sache "
    "Person Recht Pflicht Anspruch Frist Erklärung Verbraucher Unternehmer Eigentümer "
    "Besitzer Mieter Vermieter Erbe Erblasser Schaden Ersatz Zahlung Kündigung Zustimmung "
    "Genehmigung Rücktritt Widerruf Verjährung Beginn Ende Zeitpunkt Kenntnis Vertreter "
    "Vollmacht Geschäft Willenserklärung Anfechtung Irrtum Täuschung Drohung Form Urkunde "
    "Beurkundung Gericht Behörde Antrag Verfahren Bestimmung Vorschrift Anwendung Fall "
    "Umfang Höhe Betrag Zinsen Verzug Mahnung Annahme Angebot Inhalt Zweck Grund Folge "
    "ist hat wird kann muss darf soll gilt bleibt entsteht erlischt beginnt endet "
    "unverzüglich schriftlich ausdrücklich angemessen unberührt entsprechend insbesondere"
).split()

TITLE_WORDS = (
    "Beginn Ende Umfang Inhalt Form Wirkung Ausschluss Anspruch Pflicht Recht Haftung "
    "Verjährung Kündigung Rücktritt Widerruf Vertretung Vollmacht Zustimmung Genehmigung "
    "Leistung Zahlung Verzug Schadensersatz Eigentum Besitz Miete Pacht Kauf Tausch "
    "Schenkung Darlehen Bürgschaft Erbfolge Testament Pflichtteil Vermächtnis"
).split()

TITLE_TAILS = (
    "der Rechtsfähigkeit|des Schuldners|des Gläubigers|bei Verbraucherverträgen|"
    "im Allgemeinen|von Amts wegen|durch Erklärung|auf Verlangen|für Dritte|"
    "bei Mängeln|der Frist|des Vertrags|des Erben|der Sache"
).split("|")

BOOKS = [
    "Allgemeiner Teil",
    "Recht der Schuldverhältnisse",
    "Sachenrecht",
    "Familienrecht",
    "Erbrecht",
]

PHRASE = "nach Maßgabe der Durchführungsverordnung"


def sentence(rng, n):
    words = [rng.choice(WORDS) for _ in range(n)]
    words[0] = words[0].capitalize()
    return " ".join(words)


def make_section(number, suffix, group, seed):
    rng = random.Random(seed)
    title = f"{rng.choice(TITLE_WORDS)} {rng.choice(TITLE_TAILS)}"
    paras = []
    for _ in range(rng.choice([1, 2, 2, 3, 3, 4])):
        text = sentence(rng, rng.randint(12, 26)) + "."
        points = []
        if rng.random() < 0.3:
            text = text[:-1] + " wie folgt:"
            points = [sentence(rng, rng.randint(5, 12)) for _ in range(rng.randint(2, 4))]
        paras.append({"text": text, "points": points})
    return {"number": number, "suffix": suffix, "group": group, "title": title, "paras": paras}


def label(s):
    return f"§ {s['number']}{s['suffix']}"


def base(sections):
    """Version 1: sections 1 … N-9 and §§ 312a–312i, in books of divisions of 50 sections."""
    plain = sections - 9
    out = []
    for n in range(1, plain + 1):
        group = (n - 1) // 50
        out.append(make_section(n, "", group, n))
        if n == 312:
            for i, letter in enumerate("abcdefghi"):
                out.append(make_section(312, letter, group, 100_000 + i))
    return out


def next_suffix(sections, number):
    used = {s["suffix"] for s in sections if s["number"] == number}
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if letter not in used:
            return letter
    return "z" + str(len(used))


def edit(sections, version):
    """The changes version `version` makes to the one before it."""
    rng = random.Random(version * 7919)
    live = [s for s in sections if s["paras"] and s["paras"][0]["text"] != "(weggefallen)"]
    # Rewording: a word replaced, or a proviso added, in a dozen sections.
    for s in rng.sample(live, 12):
        p = rng.choice(s["paras"])
        words = p["text"].split()
        if rng.random() < 0.5 and len(words) > 4:
            words[rng.randrange(1, len(words) - 1)] = rng.choice(WORDS)
            p["text"] = " ".join(words)
        else:
            p["text"] = p["text"].rstrip(".:") + ", soweit nichts anderes bestimmt ist."
    # One section inserted after another: § Na.
    after = rng.choice(live)
    if after["number"] != 312:
        at = sections.index(after)
        new = make_section(
            after["number"],
            next_suffix(sections, after["number"]),
            after["group"],
            version * 1_000_003,
        )
        sections.insert(at + 1, new)
    if version == 7:
        for s in rng.sample(live, 5):
            p = s["paras"][0]
            p["text"] = p["text"].rstrip(".:") + f" {PHRASE}."
    if version == 12:
        # § 312a–§ 312i become § 312c–§ 312k; a new § 312a comes before them.
        run = [s for s in sections if s["number"] == 312 and s["suffix"]]
        for s in run:
            s["suffix"] = chr(ord(s["suffix"]) + 2)
        at = sections.index(run[0])
        sections.insert(at, make_section(312, "a", run[0]["group"], 12_000_312))
    if version == 16:
        for s in rng.sample(live, 3):
            s["paras"] = [{"text": "(weggefallen)", "points": []}]


def render(sections, flat):
    out = ["# Bürgerliches Gesetzbuch\n"]
    book = division = None
    for s in sections:
        g = s["group"]
        if not flat:
            b = min(g * len(BOOKS) // max(1, (sections[-1]["group"] + 1)), len(BOOKS) - 1)
            if b != book:
                book = b
                out.append(f"\n## Buch {b + 1} {BOOKS[b]}\n")
            if g != division:
                division = g
                out.append(f"\n### Abschnitt {g + 1} Abschnitt über {TITLE_WORDS[g % len(TITLE_WORDS)]}\n")
            out.append(f"\n#### {label(s)} {s['title']}\n")
        else:
            out.append(f"\n## {label(s)} — {s['title']}\n")
        for i, p in enumerate(s["paras"], 1):
            number = f"({i}) " if len(s["paras"]) > 1 else ""
            out.append(f"\n{number}{p['text']}\n")
            if p["points"] and not flat:
                out.append("\n")
                last = len(p["points"])
                for j, pt in enumerate(p["points"], 1):
                    out.append(f"{j}. {pt}{'.' if j == last else ';'}\n")
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sections", type=int, default=2500)
    ap.add_argument("--versions", type=int, default=20)
    ap.add_argument("--flat", action="store_true")
    ap.add_argument("out")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    sections = base(a.sections)
    for v in range(1, a.versions + 1):
        if v > 1:
            edit(sections, v)
        with open(os.path.join(a.out, f"v{v}.md"), "w", encoding="utf-8") as f:
            f.write(render(sections, a.flat))


if __name__ == "__main__":
    main()
