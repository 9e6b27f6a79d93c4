"""Countries where the article is not about them (issue 16, session 13): languages listed
after a language, region prefixes, an Arabic article, common words that are also places,
places inside a work's quoted title, a relative's given name. Each rule on the sentence of
the unlabelled OrangeSum article it was found in (``articles-part-06``, or the whole archive,
outside every gold file); the rules checked on other unlabelled articles and on every gold
file are measured in ``docs/facets.md``. Each test also switches its rule off and sees the
error come back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from search.ingest.entities import countries as rules
from tests.test_entity_quality import countries

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "orangesum"

CASES = [
    # a language listed after "en" or "parlant" (unlabelled orangesum-34118, -33534, -33944)
    (
        "LANGUAGE_LISTS",
        "Le compte est suivi par 2 millions de personnes dans le monde, parlant mandarin, "
        "anglais ou vietnamien.",
        set(),
        {"VN", "GB"},
    ),
    (
        "LANGUAGE_LISTS",
        "Les autorités ont diffusé depuis l'incendie un document en anglais, français, farsi, "
        "ourdou et arabe pour les encourager à se présenter.",
        set(),
        {"FR", "GB"},
    ),
    (
        "LANGUAGE_LISTS",
        "Le film, dont les personnages échangent en hébreu, arabe et anglais, se concentre sur "
        "une famille.",
        set(),
        {"GB"},
    ),
    # after "en", a capital next does not make a company (unlabelled orangesum-35329)
    (
        "LANGUAGE_LISTS",
        '"C\'est une révolution démocratique", a lancé en anglais Mme Tikhanovskaïa, '
        "réfugiée en Lituanie.",
        {"LT"},
        {"GB"},
    ),
    # an Arabic article makes the word part of an Arabic name (unlabelled orangesum-35345)
    (
        "ARABIC_ARTICLE",
        "\"Depuis que les Turcs occupent Ras al-Ain, il y a eu d'interminables cycles de "
        'négociations", dit-il.',
        {"TR"},
        {"FR"},
    ),
    # a place that is a common word, at a sentence's start (unlabelled orangesum-34667) ...
    (
        "COMMON_WORDS",
        "Sur son nuage très américain, l'Europe s'inquiète. Assise sur une gigantesque mine "
        "de données, la Silicon Valley prospère.",
        {"US"},
        {"IT"},
    ),
    # ... or written without the accent that makes it a name (unlabelled orangesum-34710)
    (
        "COMMON_WORDS",
        "La maison a déjà été en partie détruite sur les bords du Tigre à Bagdad.",
        {"IQ"},
        {"ET"},
    ),
    # a place inside a work's quoted title (unlabelled orangesum-33924, -34214, -34431)
    (
        "WORK_TITLES",
        'Il a réalisé aussi des documentaires comme "Les trottoirs de Manille", récompensé '
        "par le prix du jury du festival de Cannes.",
        {"FR"},
        {"PH"},
    ),
    (
        "WORK_TITLES",
        'Il a publié "Koenigsmark", succès public en 1989, "L\'incendie de Copenhague" '
        '(1995) ou "La mission des frontières".',
        set(),
        {"DK"},
    ),
    # a relative's given name, wherever the article writes it (unlabelled orangesum-7998,
    # -16466; found on the whole archive)
    (
        "KIN_NAMES",
        '"La vérité apparaît", a déclaré à l\'AFP son frère Orlando. Depuis le décès de sa '
        "sœur, Orlando a réussi à séduire de nouvelles générations.",
        set(),
        {"US"},
    ),
    # a performer's trade noun makes a stage name (unlabelled orangesum-30954, -29751)
    (
        "KIN_NAMES",
        "Clash avec Eric Zemmour : Cali quitte le plateau\n\nLe chanteur Cali a quitté le "
        "plateau de l'Heure des Pros.",
        set(),
        {"CO"},
    ),
    (
        "KIN_NAMES",
        "C'est Amel Bent qui accouchait d'une petite fille prénommée Sofia, à trente ans.",
        set(),
        {"BG"},
    ),
    (
        "WORK_TITLES",
        'L\'industrie égyptienne du cinéma autrefois surnommée "Hollywood du monde arabe" '
        "vient de subir un nouveau coup.",
        {"EG"},
        {"US"},
    ),
    # a cape named with "Cap" is not Cape Town, even before a place (unlabelled orangesum-8391,
    # -31039, -31127; session 15)
    (
        "CAPE_NAMES",
        "Les rafales atteindront 130 à 160 km/h en fin d'après-midi sur le Cap Corse.",
        {"FR"},
        {"ZA"},
    ),
    ("CAPE_NAMES", "JUSQU'À 190 KM/H SUR LE CAP CORSE", {"FR"}, {"ZA"}),
    # a church is named after its saint (unlabelled orangesum-14762, -14792, -14795)
    (
        "CHURCH_SAINTS",
        "Des explosions ont visé l'église Saint-Antoine à Colombo, l'église Saint-Sébastien à "
        "Negombo, localité située au nord de la capitale du Sri Lanka.",
        {"LK"},
        {"ES"},
    ),
    (
        "CAPE_NAMES",
        "Des rafales attendues de 180 à 200 km/h sur le Cap Corse et le Cap Sagro.",
        {"FR"},
        {"ZA"},
    ),
    # Antiquity is not the modern state (session 16; unlabelled orangesum-4609, -33897,
    # -29142, -34031: 11 articles of the archive changed, all rightly)
    (
        "ANTIQUITY",
        'La \'Ndrangheta - qui tient son nom du grec ancien "courage" - passe généralement pour '
        "avoir dépassé les mafias sicilienne et napolitaine grâce au trafic de cocaïne "
        "d'Amérique latine.",
        {"IT"},
        {"GR"},
    ),
    (
        "ANTIQUITY",
        'Emmanuel Macron est "énergique et talentueux, ayant le sens du moment opportun, le '
        'kairos, comme disaient les Grecs anciens".',
        set(),
        {"GR"},
    ),
    (
        "ANTIQUITY",
        "Historiquement, \"cela remonte à l'Egypte antique: un pharaon qui a trahi son frère.",
        set(),
        {"EG"},
    ),
    (
        "ANTIQUITY",
        'Ces chapiteaux relèvent de l\'architecture "proto-éolique", similaire à celle de la '
        "Grèce antique, et sont le symbole du royaume de Juda, fondé en 940 avant J.-C.",
        set(),
        {"GR"},
    ),
]


@pytest.mark.parametrize(("flag", "text", "wanted", "unwanted"), CASES)
def test_no_country_where_the_article_is_not_about_it(
    flag: str, text: str, wanted: set[str], unwanted: set[str], monkeypatch
) -> None:
    found = countries(text)
    assert wanted <= found
    assert not (unwanted & found)
    monkeypatch.setattr(rules, flag, False)
    assert unwanted & countries(text), f"{flag} off should bring the error back"


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # the rules leave the country where the text names it
        ('"Je suis fier de la France", a-t-il dit.', {"FR"}, set()),
        ('Il a vécu à Manille. Son film "Les trottoirs de Manille" (1984).', {"PH"}, set()),
        ("Ils parlent anglais et le gouvernement allemand a réagi.", {"DE"}, {"GB"}),
        ("Dans la région du Tigré, en Ethiopie.", {"ET"}, set()),
        ("Il est né à Assise, en Ombrie.", {"IT"}, set()),
        ("Le cyclone a frappé la Réunion.", {"FR"}, set()),
        ("Son frère vit à Orlando, en Floride.", {"US"}, set()),
        ("Les forces en présence, américaines et russes, se retirent.", {"US", "RU"}, set()),
        # region prefixes (unlabelled orangesum-33599, -32378)
        ("La plus grande ville de l'Amérique pré-colombienne.", set(), {"CO"}),
        ("Le prix du nouveau journalisme ibéro-américain.", set(), {"US"}),
        # an idiom (unlabelled orangesum-31845) and a Paris museum (unlabelled -31721)
        ('Ils jugeaient qu\'elle avait fait de leur fille sa "tête de Turc".', set(), {"TR"}),
        ("La présentation de ses créations de Noël au palais de Tokyo.", {"FR"}, {"JP"}),
        # session 15, round 12's classes on unlabelled articles: a Paris garden (orangesum-24017,
        # -13055), a lake four states share (-32892), an object said of a person (-35583,
        # -6824), a combining form (irako-)
        (
            "À 15h, 30 degrés ont été relevées au Jardin du Luxembourg, dans le centre de Paris.",
            {"FR"},
            {"LU"},
        ),
        (
            "La cérémonie aura lieu le 10 mai au jardin du Luxembourg et sera présidée par "
            "Edouard Philippe.",
            {"FR"},
            {"LU"},
        ),
        (
            "Dans le Nord-Est du Nigeria, les jihadistes contrôlent de larges zones, "
            "particulièrement autour du lac Tchad.",
            {"NG"},
            {"TD"},
        ),
        (
            'Jean Castex, "un couteau suisse" inconnu du grand public, nommé à Matignon.',
            {"FR"},
            {"CH"},
        ),
        (
            "On a pour l'instant une scie ou une hache mais notre objectif est de trouver un "
            "couteau suisse.",
            set(),
            {"CH"},
        ),
        ("Des jihadistes français partis en zone irako-syrienne.", {"FR", "IQ", "SY"}, set()),
        # ... and what they leave
        ("Le Luxembourg a ainsi atteint ce cap, comme la Belgique.", {"LU", "BE"}, set()),
        ("Le Tchad et le Niger bordent le lac Tchad.", {"TD", "NE"}, set()),
        ("Victorinox, le fabricant suisse de couteaux suisses.", {"CH"}, set()),
        # a Lille station (unlabelled orangesum-9733, -20155)
        (
            "Il a été interpellé aux abords de la gare de Lille-Flandres, relate le parquet.",
            {"FR"},
            {"BE"},
        ),
        ("Il vit à Saint-Sébastien, au Pays basque.", {"ES"}, set()),
        ("Il a été baptisé dans une église de Saint-Étienne.", {"FR"}, set()),
        ("Il vit au Cap, en Afrique du Sud.", {"ZA"}, set()),
        ("Le Cap est la capitale parlementaire.", {"ZA"}, set()),
        # what ANTIQUITY leaves (unlabelled orangesum-24998, -35855, -23430)
        (
            "Les personnes d'origine maghrébine n'ont qu'\"une chance sur deux\", par rapport à "
            "une personne d'origine \"française ancienne\", d'obtenir un logement.",
            {"FR"},
            set(),
        ),
        ("Naufrage du Koursk: les 20 ans d'une tragédie russe", {"RU"}, set()),
        ("En voyage en France, l'ancien ministre grec des finances.", {"FR", "GR"}, set()),
        ("Y figurent Barcelone, Boston, Le Cap, Djeddah.", {"ES", "US", "ZA", "SA"}, set()),
    ],
)
def test_what_the_rules_leave_and_the_data_lines(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    found = countries(text)
    assert wanted <= found
    assert not (unwanted & found)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="needs ../shared/corpus/orangesum")
def test_the_common_words_are_the_archives_counts() -> None:
    """``data/common_words.tsv`` is what ``bench/common_words.py`` computes from the corpus."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "common_words.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr


# Session 14 (issue 16, thirteenth round): countries the rules used to miss, from the errors
# of gold rounds 8 and 10 and checked on unlabelled articles (``docs/facets.md``).
FOUND = [
    # a beauty title named after the country (round 10 orangesum-10329, round 8 -14779;
    # unlabelled orangesum-14051, -2831, -15350)
    (
        "MISS_TITLES",
        "Elles accusaient les organisateurs du concours d'avoir favorisé la lauréate, Laurine "
        "Maricau, notamment en lui faisant bénéficier du maquilleur officiel des Miss France "
        "alors que les autres candidates n'avaient pas cette chance.",
        {"FR"},
    ),
    (
        "MISS_TITLES",
        "Il se serait aussi occupé du look de personnalités comme Charles Berling, Lio ou "
        "encore l'ex-Miss France Laury Thilleman.",
        {"FR"},
    ),
    # a country's demonym as a noun after its article is a person or a firm of it, not a
    # newspaper's title (round 10 orangesum-34239; unlabelled orangesum-2211, -34767 and 51
    # more articles of the archive)
    (
        "DEMONYM_NOUNS",
        "Le ministre de l'Economie Bruno Le Maire a dénoncé cette semaine les plans sociaux "
        "\"d'aubaine\" annoncés ou envisagés par certaines entreprises, citant notamment "
        "l'exemple de General Electric qui prévoit de restructurer certaines activités en "
        "Europe.\n\nL'Américain est loin d'être le seul, a assuré samedi 12 septembre sur France "
        "Inter Philippe Martinez.",
        {"US"},
    ),
    (
        "DEMONYM_NOUNS",
        "Très rare également, l'une des quatre McLaren M6GT construites par Bruce McLaren est "
        "elle aussi du voyage à Paris. Le Néo-zélandais développa la M6GT en s'inspirant de la "
        "M6 engagée en compétition dans la série Can-Am.",
        {"NZ"},
    ),
]


@pytest.mark.parametrize(
    "text",
    [
        # "Le Parisien" is a newspaper; a nickname is no mention (unlabelled orangesum-13613,
        # -13637, -3907)
        "Plus de 18 soldats du feu ont été déployés tôt ce mercredi à Choisy-le-Roi après que "
        "plusieurs incendies se sont déclarés dans le parking sous la dalle, rapporte Le "
        "Parisien.",
        "Surnommé l'Egyptien, il était présenté comme le personnage central de cette filière "
        "jihadiste présumée.",
        "Les enquêteurs se sont intéressés à un bijoutier d'Auriol (Bouches-du-Rhône) surnommé "
        '"le Chinois".',
        'On lui doit "Le privé", "Le gang", "Le Ricain", "Le gringo", "L\'archange", "Le '
        'Maltais", "Le boss".',
    ],
)
def test_what_a_demonym_noun_leaves(text: str) -> None:
    assert not countries(text) - {"FR"}


# Pakistan's National Assembly is not France's (unlabelled orangesum-1659; 17 more articles
# of the archive: Burundi, China, South Korea, Algeria, Chad, Turkey, a Swiss canton...)
PAKISTAN = (
    'Pakistan: le Premier ministre fait scandale en qualifiant Ben Laden de "martyr"\n\n'
    "L'ancien chef d'Al-Qaïda Oussama Ben Laden, tué le 2 mai 2011 par les forces spéciales "
    'américaines au Pakistan, est mort en "martyr", a déclaré jeudi le Premier ministre '
    "pakistanais Imran Khan, provoquant une vague de réactions hostiles dans le pays.\n\n"
    '"Les Américains sont venus à Abbottabad et ont tué Oussama Ben Laden. Il est mort en '
    "martyr\", a déclaré M. Khan lors d'un discours devant l'Assemblée nationale, où il a "
    "mentionné les relations compliquées entre Islamabad et Washington après le raid "
    "américain."
)


def test_a_shared_seat_in_another_country_s_story(monkeypatch) -> None:
    assert countries(PAKISTAN) == {"PK", "US"}
    # France's Assemblée in a French story stays France's
    assert "FR" in countries("Le Premier ministre a répondu à l'Assemblée nationale mardi.")
    monkeypatch.setattr(rules, "SHARED_SEATS", False)
    assert "FR" in countries(PAKISTAN), "SHARED_SEATS off should bring FR back"


@pytest.mark.parametrize(("flag", "text", "wanted"), FOUND)
def test_a_country_the_rule_finds(flag: str, text: str, wanted: set[str], monkeypatch) -> None:
    assert wanted <= countries(text)
    monkeypatch.setattr(rules, flag, False)
    assert not (wanted & countries(text)), f"{flag} off should lose the country again"


# Session 14 (issue 16, fourteenth round): a town named with its article, after "de" or "à"
# (round 11 wikinews-fr-45774; unlabelled orangesum-12723, -30832, -16778, -23020).
CONTRACTED = [
    "Marc Guillemot (Safran), qui comptait parmi les favoris de cette édition du Vendée Globe, "
    "a préféré être prudent, et rentrer aux Sables d'Olonne après avoir entendu deux « bangs "
    "successifs » hier après-midi.",
    "Lundi, près du Puy-en-Velay, un homme âgé, qui venait de faire ses courses, est reparti "
    "au volant d'une voiture qui ne lui appartenait pas, rapporte Le Progrès.",
    "Le palais de justice du Puy-en-Velay a vécu un moment bouleversant ce vendredi 9 février.",
]


@pytest.fixture
def contracted_off(monkeypatch):
    """CONTRACTED_ARTICLES off; the gazetteer, built once per process, rebuilt around it."""
    monkeypatch.setattr(rules, "CONTRACTED_ARTICLES", False)
    rules.gazetteer.cache_clear()
    yield
    rules.gazetteer.cache_clear()


@pytest.mark.parametrize("text", CONTRACTED)
def test_a_town_named_with_its_article_after_de_or_a(text: str) -> None:
    assert countries(text) == {"FR"}


@pytest.mark.parametrize("text", CONTRACTED)
def test_without_the_contracted_forms_the_town_is_lost(text: str, contracted_off) -> None:
    assert "FR" not in countries(text), "CONTRACTED_ARTICLES off should lose the town"


@pytest.mark.parametrize(
    "text",
    [
        # "Le Cap" without its article is a common word: no South Africa at the French capes
        # (unlabelled orangesum articles of the archive: "au Cap d'Agde", "du Cap de l'Homy")
        "Les faits se seraient déroulés à l'été 1987 au Cap d'Agde alors que la jeune femme "
        "était mineure.",
        "Dans le cas du Cap de l'Homy, les jeunes gens ont été secourus.",
        # lower case is no town: "des sables mouvants", "au creux"
        "Le véhicule s'est enlisé dans des sables mouvants au bord de l'estuaire.",
    ],
)
def test_what_the_contracted_forms_leave(text: str) -> None:
    assert "ZA" not in countries(text)
    assert countries(text) <= {"FR"}


# Session 16 (issue 16): data lines from countries given by one mention on unlabelled
# articles (every one of the 32,944 unlabelled OrangeSum articles' changes read:
# ``docs/facets.md``, "Session 16, countries"). Each case fails with its line taken out of
# ``data/not_places.txt`` or ``data/countries_fr.tsv``.
@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an idiom (unlabelled orangesum-5378; 8 articles)
        (
            "Avant d'arriver au podium, ils sont passés par un portail de désinfection et ont "
            "attendu debout en file indienne sur des points espacés marqués au sol.",
            set(),
            {"IN"},
        ),
        # a continent (unlabelled orangesum-3228; 7 articles)
        (
            "Selon la Farc, ils sont 201 au total à avoir été tués depuis l'accord de paix de "
            "2016 signé par cette guérilla, la plus ancienne du continent américain.",
            set(),
            {"US"},
        ),
        # a Swiss daily (unlabelled orangesum-6536; 4 articles)
        (
            "Dans un entretien à La Tribune de Genève publié mardi, le chef de file des insoumis "
            "a notamment défendu le Premier ministre Edouard Philippe.",
            set(),
            {"CH"},
        ),
        # a singer's stage name (unlabelled orangesum-3829, -15443)
        (
            "Il y a aussi toute une scène jeune qui a poussé, souligne Hervé Riesen, citant "
            "Chris(tine and the Queens) ou Jain.",
            set(),
            {"US"},
        ),
        (
            "Le maradon a réuni les musiciens M, Big Flo et Oli, Christine and the Queens, "
            "l'acteur Guillaume Canet.",
            set(),
            {"US"},
        ),
        # a British peer and his estate, an event's place (unlabelled orangesum-1370, -648)
        (
            "« Nous avons travaillé avec toutes les personnes impliquées », a commenté le Duc de "
            "Richmond, propriétaire du domaine de Goodwood où se déroule chaque année l'évènement.",
            {"GB"},
            {"US"},
        ),
        (
            "Elle a été dévoilée sous la forme d'un prototype à l'occasion du Goodwood Festival "
            "of Speed (2018).",
            {"GB"},
            set(),
        ),
        # a German circuit, alone or with its loop's name (unlabelled orangesum-4311, -3306)
        (
            "BMW va profiter de la prochaine épreuve du championnat DTM qui se déroulera du 13 au "
            "15 septembre sur le circuit du Nürburgring.",
            {"DE"},
            set(),
        ),
        (
            "Ce SUV détient depuis peu le record du tour de la catégorie SUV sur la Nürburgring "
            "Nordschleife.",
            {"DE"},
            set(),
        ),
        # Lille is "la capitale des Flandres", French Flanders are France's (unlabelled
        # orangesum-9406, -13158; 8 articles)
        (
            "Domicilié à Paris, Frédéric Dumoulin revenait dans la capitale des Flandres quand il "
            "s'est aperçu de la disparition de sa valise.",
            {"FR"},
            {"BE"},
        ),
        (
            "Danielle Mametz, 54 ans, maire depuis 2001 de ce village de 700 habitants des "
            "Flandres françaises.",
            {"FR"},
            {"BE"},
        ),
        # ... and what they leave (the Belgian race: unlabelled orangesum-6461)
        (
            "Greg Van Avermaet est lui devenu le premier vainqueur du Tour des Flandres virtuel en "
            "pédalant dans son salon.",
            {"BE"},
            set(),
        ),
        ("La ville de Richmond, en Virginie, a démonté un monument.", {"US"}, set()),
        ("Il habite le quartier du Queens, à New York.", {"US"}, set()),
        ("Il a rencontré à Genève le président suisse.", {"CH"}, set()),
        ("La file d'attente devant l'ambassade indienne.", {"IN"}, set()),
        # the genre (unlabelled orangesum-14264, -4046)
        (
            "C'est une sorte de tragédie grecque qui ferait certainement une très bonne pièce !\", "
            "écrit le prince Charles dans sa lettre.",
            set(),
            {"GR"},
        ),
        ("Le continent américain compte 35 pays, dont les États-Unis.", {"US"}, set()),
    ],
)
def test_session_16_data_lines(text: str, wanted: set[str], unwanted: set[str]) -> None:
    found = countries(text)
    assert wanted <= found
    assert not (unwanted & found)
