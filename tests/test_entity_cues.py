"""Context that says person or place where the model's label does not (issue 16, fifth
round): each rule on the sentence it came from, in the 60 articles of
``bench/gold/entities-tuning-more.jsonl`` or in unlabelled OrangeSum articles
(``articles-part-04``, outside every gold file). The whole files are scored by
``bench/entities.py``; these pin each rule down, and each fails without it."""

from __future__ import annotations

import pytest

from tests.test_entity_quality import countries, found_as_wanted, persons


def countries_as_wanted(text: str, wanted: set[str], unwanted: set[str]) -> None:
    found = countries(text)
    assert wanted <= found
    assert not (unwanted & found)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an age after the name (orangesum-12227, -10458, -630)
        (
            "Dans la nuit de jeudi à vendredi, une famille de Saint-Pierre (Brest) a été "
            "réveillée en pleine nuit, rapporte Ouest France.\n\nNaïma, 16 ans, ne s'en "
            "remet toujours pas.",
            {"Naïma"},
            set(),
        ),
        (
            "Deux jours plus tard, c'était au tour de sa belle-soeur de mourir du Covid-19.\n\n"
            "Et le 13 avril, Iolanda, 48 ans, fille de Maria Nunes Sinimbu, est décédée elle "
            "aussi.",
            {"Iolanda", "Maria Nunes Sinimbu"},
            set(),
        ),
        # ... and an agency's acronym before the name is not part of it
        (
            '"Je suis infirmière et j\'ai vu les cas augmenter", dit à l\'AFP Manuela, 30 ans, '
            "masque sur le visage, interrogée dans une rue du centre-ville.",
            {"Manuela"},
            {"AFP Manuela"},
        ),
        # a kinship noun before it (orangesum-10458)
        (
            "Le drame familial a débuté le 5 avril, avec le décès de son fils Raimundo, "
            "enseignant de 58 ans, qui vivait avec elle et deux autres frères et soeurs.",
            {"Raimundo"},
            set(),
        ),
        # a plural role before a list of names (orangesum-29324)
        (
            "48 heures après la bagarre générale dans une salle d'embarquement de l'aéroport de "
            "Paris-Orly, les rappeurs Booba et Kaaris vont être jugés vendredi 3 août en "
            "comparution immédiate au tribunal de Créteil (Val-de-Marne).",
            {"Booba", "Kaaris"},
            set(),
        ),
        # a personal title inside a span the model calls an organisation (orangesum-35212)
        (
            '"On a fait du mimétisme de la gauche, on a vu le résultat", déplore-t-elle. Pour '
            'elle, "il faut revenir à la proximité". "Au lieu d\'écouter Monsieur Macron, nous '
            'devons écouter les Français".',
            {"Macron"},
            set(),
        ),
        # a title of rank "de" something is no name (orangesum-13078, -19870)
        (
            "Il ne sera réveillé par son bras droit, Olivier Schrameck, qu'après la mort "
            "officielle de la Princesse de Galles prononcée peu après 4h du matin.",
            {"Olivier Schrameck"},
            {"de Galles", "Galles"},
        ),
        (
            "La ministre Nicole Belloubet lui a alors fait cette réponse : \"Je n'ai qu'un regret, "
            "c'est de ne pas être la Reine des Neiges pour vous chanter 'Libérée, délivrée'\".",
            {"Nicole Belloubet"},
            {"Neiges"},
        ),
        # a typo in the surname joins the right spelling (orangesum-7843)
        (
            "Quelques jours après cette terrible nouvelle, Marion Cottillard a rendu hommage à "
            "cet activiste. Dans un long message, Marion Cotillard a tenu à rendre hommage au "
            "célèbre avocat. Un combat que partage Marion Cotillard.",
            {"Marion Cotillard"},
            {"Marion Cottillard"},
        ),
        # a given name the model cut from its surname (orangesum-27355)
        (
            '"Dès que vous devenez français, vos ancêtres sont gaulois", a dit l\'ancien '
            "président de la République Nicolas Sarkozy lors d'un meeting lundi soir.\n\n"
            "Najat Vallaud-Belkacem n'a pas vraiment apprécié les propos de Nicolas Sarkozy.",
            {"Najat Vallaud-Belkacem", "Nicolas Sarkozy"},
            {"Vallaud-Belkacem"},
        ),
        # a name listed with places is a place (wikinews-fr-45346)
        (
            "L'exposition a déjà été vue dans les villes de Milan, Giverny, Barcelone, Forth "
            "Worth et Londres avant son arrêt à Montréal, seul arrêt au Canada.",
            set(),
            {"Forth Worth"},
        ),
    ],
)
def test_context_says_person(text: str, wanted: set[str], unwanted: set[str]) -> None:
    found = persons(text)
    assert wanted <= found
    assert not (unwanted & found)


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        # the cues do not make an acronym or a common word a person (tuning half)
        (
            "Le Rwanda a vu la tribu des Hutus massacrer près de 800 000 Tutsis.\n\nChoqués, "
            "les députés PS estiment que le gouvernement doit réagir.",
            {"PS"},
        ),
        (
            "Une course contre la montre pour retrouver le corps de la fillette d'après son "
            "père\nSi la juge d'instruction a pratiqué des fouilles, rien n'a été trouvé.",
            {"Si"},
        ),
    ],
)
def test_cues_need_a_name(text: str, unwanted: set[str]) -> None:
    assert not (unwanted & persons(text))


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an address is no country (orangesum-28785; unlabelled orangesum-23053, -20436)
        (
            "Le cortège a finalement rejoint la place d'Italie, dans le 13ème arrondissement de "
            "Paris, à 16h45 dans le calme.",
            {"FR"},
            {"IT"},
        ),
        # "à la place de" (instead of) keeps its country
        ("A la place de l'Italie, c'est la Grèce qui accueillera le sommet.", {"IT", "GR"}, set()),
        # a cuisine is no country (orangesum-630)
        (
            "Le retour des clients est repoussé pour ce restaurant végétarien indien situé au "
            "coeur du fameux Golden Mile de Leicester.",
            {"GB"},
            {"IN"},
        ),
    ],
)
def test_addresses_and_cuisines(text: str, wanted: set[str], unwanted: set[str]) -> None:
    countries_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # the end of an organisation's name before a full name (unlabelled orangesum-34696,
        # -34498)
        (
            "Joe Biden, l'ancien président Barack Obama et de grands patrons comme le fondateur "
            "d'Amazon Jeff Bezos, le patron de Tesla Elon Musk, ou encore Bill Gates.",
            {"Jeff Bezos"},
            {"Amazon Jeff Bezos"},
        ),
        (
            "En échange, le leader du Hezbollah Hassan Nasrallah s'est montré plutôt ouvert aux "
            "démarches de M. Macron.",
            {"Hassan Nasrallah"},
            {"Hezbollah Hassan Nasrallah"},
        ),
        # two full names the model read as one (orangesum-35499; unlabelled -35292 too)
        (
            "Outre Gérald Darmanin, promu à l'Intérieur, l'ancienne ministre de Jacques Chirac "
            "Roselyne Bachelot fait son retour en politique en prenant les rênes du ministère de "
            "la Culture.",
            {"Jacques Chirac", "Roselyne Bachelot"},
            {"Jacques Chirac Roselyne Bachelot"},
        ),
        # an office "de la" something is no name (wikinews-fr-44536; unlabelled -35346)
        (
            "Québec : le secrétaire général de la Francophonie n'achève pas sa mission au Forum "
            "mondial de langue française",
            set(),
            {"Francophonie"},
        ),
        (
            "M. Tarrant, qui a choisi d'assurer seul sa défense, sera ensuite autorisé à "
            "s'adresser au tribunal. Le président de la Haute cour de justice de Christchurch "
            "doit prononcer la peine jeudi.",
            set(),
            {"Haute"},
        ),
        # a place and a common word name an organisation, in either order (orangesum-27583,
        # -22811)
        (
            '"Notre notaire a recherché", ajoute Jessica à France Bleu Mayenne. La maire '
            "actuelle se trouve dans l'incapacité de connaître l'étendue des dégâts.",
            {"Jessica"},
            {"Bleu Mayenne", "France Bleu Mayenne"},
        ),
        (
            "En écrivant au nouveau président de la région Normandie Hervé Morin, le président "
            "de Normandie Sites, Hervé Lebel, a relancé le débat sur les relevés de Météo France.",
            {"Hervé Lebel"},
            {"Normandie Sites"},
        ),
        # a party's or an agency's acronym before any full name (orangesum-35499; unlabelled
        # -34748), an initial stays (unlabelled -33271)
        (
            "Même son de cloche auprès du patron des députés LR Damien Abad : il n'y a pas eu "
            "de débauchage chez LR et c'est tant mieux, a-t-il estimé.",
            {"Damien Abad"},
            {"LR Damien Abad"},
        ),
        (
            '"J\'ai perdu beaucoup de travail, en tant que musicien et aussi comme ingénieur du '
            "son\", raconte à l'AFP Nikola Vidojevic, 33 ans, le batteur du groupe de rock.",
            {"Nikola Vidojevic"},
            {"AFP Nikola Vidojevic"},
        ),
        (
            "Mme Das se serait opposée à l'application des règles sur la haine en ligne en "
            "particulier au compte de T. Raja Singh, un député régional du Bharatiya Janata "
            "Party (BJP, au pouvoir).",
            {"T. Raja Singh"},
            {"Raja Singh"},
        ),
        # an age after a role (orangesum-9150, -2734), even after a French word (unlabelled
        # orangesum-36708: "mantra"); not when the age is someone else's (unlabelled -36961)
        (
            "témoigne Hassan, un ingénieur de 45 ans.\n\nNon loin, Elahe, une enseignante de 39 "
            'ans portant masque et gants, se dit "très contente" de pouvoir prier.',
            {"Elahe"},
            set(),
        ),
        (
            "\"Ça m'a beaucoup manqué\", confie aussi Léonard, étudiant en cinéma de 19 ans, qui "
            'retourne voir "En avant" de Pixar dans ce cinéma.',
            {"Léonard"},
            set(),
        ),
        (
            '"J\'ai toujours entendu parler du Concorde comme j\'habite Gonesse", affirme '
            "Mantra, 16 ans, présente à la cérémonie en tant que conseillère municipale des "
            "jeunes.",
            {"Mantra"},
            set(),
        ),
        (
            "Figure plus médiatique, la secrétaire d'État Marlène Schiappa accède quant à elle "
            "au poste de ministre déléguée à la Citoyenneté, une récompense pour cette femme de "
            "37 ans issue de la société civile.",
            {"Marlène Schiappa"},
            {"Citoyenneté"},
        ),
        # "à la place de" is "instead of" (orangesum-35499; unlabelled -35515)
        (
            "Il évoque la nomination de Gérald Darmanin place Beauvau, à la place de Christophe "
            "Castaner la veille, lors du remaniement.",
            {"Christophe Castaner"},
            set(),
        ),
        # a work "de" a full name is that person's (orangesum-22406; unlabelled -36680), a
        # place's cue still names a place (unlabelled -36306)
        (
            "Sur le plateau de l'émission de Thierry Ardisson samedi 24 février, Aurore Bergé "
            "s'est présentée dans une robe bleu sombre.",
            {"Thierry Ardisson", "Aurore Bergé"},
            set(),
        ),
        (
            "«Si le déjeuner avait eu lieu en février 2020, c'est-à-dire après la sortie du livre "
            "de Vanessa Springora, la maire l'aurait très très fortement condamné et regretté.",
            {"Vanessa Springora"},
            set(),
        ),
        (
            "Elles sont parvenues à contacter un ami qui a récupéré les bagages lorsque "
            "l'autocar a terminé son voyage à la gare de Paris Bercy. Ce sont finalement les "
            "parents de Gaëlle qui sont venues les chercher.",
            set(),
            {"Paris Bercy"},
        ),
    ],
)
def test_run_ons_offices_roles_and_works(text: str, wanted: set[str], unwanted: set[str]) -> None:
    """Issue 16, sixth round: each rule checked on unlabelled articles (docs/facets.md)."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # GUIDE.md: an event or an institution counts by the place it is in (orangesum-9336,
        # -6687, -1908; unlabelled -35873)
        (
            "L'Hypercar que le constructeur d'Affalterbach présentait depuis le Salon de "
            "Francfort 2017 sous le nom de Mercedes-AMG Project One prendra le nom de "
            "Mercedes-AMG One.",
            {"DE"},
            set(),
        ),
        (
            "Parmi les premières mondiales proposées par Mercedes-Benz au New York International "
            "Auto Show, figurait le Mercedes-Benz EQC 1886 Edition.",
            {"US"},
            set(),
        ),
        (
            '"Il semble que les décideurs politiques se soient trop appuyés sur ce papier", a '
            "commenté le professeur Stephen Evans, de la London School of Hygiene and Tropical "
            "Medicine.",
            {"GB"},
            set(),
        ),
        # a place's adjective, a spelling the press uses, a state's agency (orangesum-5523,
        # wikinews-fr-44527; unlabelled -33990, -34696)
        (
            "Le groupe californien a promis de ne pas toucher de commission sur ces événements.",
            {"US"},
            set(),
        ),
        (
            "Un reportage diffusé mardi 3 juillet par la chaîne quatarie Al Jazeera sème le doute "
            "sur la mort de l'ancien chef de l'Autorité palestinienne.",
            {"QA", "PS"},
            set(),
        ),
        (
            "Les victimes ne permettent pas de tracer les destinataires, quelque 100.000 dollars "
            "ont ainsi été envoyés.\n\nLe FBI mène l'enquête en parallèle.",
            {"US"},
            set(),
        ),
        # no country: a word the text writes with other accents, a French département, an
        # alphabet or a mythology, a street, a bird (unlabelled orangesum-36436, -36836,
        # -36595, wikinews-fr-45750, orangesum-36868, -36098)
        (
            "Les volatiles ont en effet pris possession des lieux.\n\nGênés par cette invasion, "
            "les voisins ont alerté le commissariat.",
            set(),
            {"IT"},
        ),
        (
            'Les cas, à Bordeaux, Brive ou Châtellerault, sont liés à des "événements privés", et '
            'deux dans la Vienne sont issus d\'un "réseau familial élargi".',
            {"FR"},
            {"AT"},
        ),
        (
            '"C\'est aussi la première lettre de l\'alphabet grec, le symbole de l\'excellence que '
            'nous visons", conclut Thomas Pesquet.',
            set(),
            {"GR"},
        ),
        (
            "Celui de Europe, la princesse phénicienne qui, selon la mythologie grecque, fut "
            "enlevée par Zeus et donna son nom au continent.",
            set(),
            {"GR"},
        ),
        (
            "Samedi 11 juillet, à Nice, un concert gratuit de The Avener a rassemblé une foule "
            "compacte sur le quai des Etats-Unis et la promenade des Anglais.",
            {"FR"},
            {"US", "GB"},
        ),
        # a sea named after a city, a river (orangesum-20037, -6946)
        (
            "L'épisode de Corse est \"une dépression secondaire, liée à un creux dans le Golfe de "
            "Gênes, donc pas directement liée à 'Fabien'\", a expliqué une prévisionniste.",
            {"FR"},
            {"IT"},
        ),
        (
            "J'ai acheté un bateau sur la Seine, un bateau pour douze passagers, et je lance des "
            "croisières culturelles historiques.",
            {"FR"},
            set(),
        ),
        (
            "Vendeurs ambulants de bouées gonflables en forme de flamand rose, animateurs, "
            "moniteurs: les saisonniers, quand ils sont présents, restent rares.",
            set(),
            {"BE"},
        ),
    ],
)
def test_country_as_the_guide_defines_it(text: str, wanted: set[str], unwanted: set[str]) -> None:
    """Issue 16, sixth round: GUIDE.md's country rules read one by one (docs/facets.md)."""
    countries_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a common word or a place first, and no evidence of a person: a product, a brand,
        # a ship (unlabelled OrangeSum articles outside every gold file, seed 1625
        # and 1626: orangesum-31114, -35260, -33661, -26369)
        (
            "Conséquence de la loi Alimentation, les prix de certains produits alimentaires "
            "augmentent. Nutella, spaghettis Panzani, café Carte noire, thon Petit Navire, "
            "céréales Chocapic, beurre doux Président... Le Parisien a dressé la liste d'une "
            "vingtaine de produits.",
            set(),
            {"Petit Navire"},
        ),
        (
            "L'engouement pour le vélo à l'issue du confinement a dopé la production des cycles "
            "électriques Moustache Bikes dans les Vosges, marque haut de gamme née d'un pari "
            "audacieux.\n\n\"C'était de la folie, tous les vélos se sont vendus!\", se souvient "
            "Grégory Sand, 40 ans, cofondateur de la marque.",
            {"Grégory Sand"},
            {"Moustache Bikes"},
        ),
        (
            "L'un des tout premiers accidents fit 561 morts en 1921 à Oppau en Allemagne, dans "
            "une usine BASF. En 1947, Brest fut secouée par l'explosion du cargo norvégien Ocean "
            "Liberty qui transportait la substance.",
            set(),
            {"Ocean Liberty"},
        ),
        # ... but a given name somewhere in the world, a verb of speech or a role in
        # apposition is evidence (wikinews-fr-44998 of the tuning rounds, wikinews-fr-44389,
        # orangesum-15010)
        (
            "« Le contexte de la perte [...] est bien pire qu'attendu », y compris le montant "
            "de dommages et intérêts imposé à Samsung, commente Song Myung-Sup, analyste à Hi "
            "Investment and Securities.",
            {"Song Myung-Sup"},
            set(),
        ),
        (
            "L'incident s'est produit dans la région de Dorlin sur la commune de Maripasoula."
            "\n\nVictorin Lurel, ministre des outre-mer, se rendra aujourd'hui en Guyane pour "
            "rendre hommage aux militaires décédés.",
            {"Victorin Lurel"},
            set(),
        ),
        (  # unlabelled orangesum-6859, seed 1627
            "Remarqué à l'occasion de son passage dans l'émission \"Un dîner presque parfait\", "
            "Criss Pouly a révélé avoir été victime d'attaques homophobes.",
            {"Criss Pouly"},
            set(),
        ),
        (
            "La profession est \"en permanence la cible de sollicitations, parfois violentes\", "
            "a rappelé de son côté Fleur Barbequot, également représentante du Conseil de "
            "l'Ordre des infirmiers de la Loire.",
            {"Fleur Barbequot"},
            set(),
        ),
    ],
)
def test_a_person_needs_evidence(text: str, wanted: set[str], unwanted: set[str]) -> None:
    """Issue 16, session 9: a name with a common word first needs evidence (``_evidence``)."""
    found_as_wanted(text, wanted, unwanted)


def test_a_town_named_like_a_given_name_is_a_person_where_nothing_says_place() -> None:
    """``Virginie`` (a US state and a given name) with no article before it, in an article
    that names the United States nowhere else, is a candidate of a TV show, not a place
    (unlabelled orangesum-15816, seed 1625); ``en Virginie`` stays the state."""
    text = (
        "Les inconditionnels du show reconnaîtront parmi les participants Virginie, qui a "
        "tenté sa chance dans l'émission il y a deux ans avec succès, ou encore Patricia, la "
        "retraitée de 66 ans qui s'était démarquée de ses concurrentes."
    )
    assert "Virginie" in persons(text)
    assert "US" not in countries(text)
    text = "Le drame s'est produit en Virginie, où la police a ouvert une enquête."
    assert "US" in countries(text)


@pytest.mark.parametrize(
    "text",
    [
        # a language ending a sentence, or after "un" (unlabelled wikinews-fr-44550,
        # orangesum-17863, -28543: seeds 1625 and 1627)
        "Ils poussent l'État à adopter une meilleure cohabitation entre le français et "
        "l’anglais. Ils n’ont rien à voir avec Cuba.",
        "Un bilan qui s'est alourdi à au moins 12 victimes, selon CNN (en anglais).\n\nDes "
        "pluies intenses ont provoqué une crue.",
        "\"Vous ne voulez pas me payer, pas de problème\", s'énerve alors le taxi clandestin "
        "dans un anglais sommaire.",
        # a verb, not Corsica (orangesum-15816)
        "La compétition se corse dans Les Reines du shopping ! Cette semaine, cinq gagnantes "
        "reviennent.",
    ],
)
def test_a_language_or_a_verb_is_no_country(text: str) -> None:
    """Issue 16, session 9: GUIDE.md's "languages alone" on more of their forms."""
    assert not countries(text) & {"GB", "FR"}


def test_a_storm_named_like_a_person_is_a_storm_everywhere_in_the_article() -> None:
    """``Tempête Fabien`` in a headline and ``Fabien``, ``Elsa`` alone later name storms, as
    ``la tempête Fabien`` does (unlabelled orangesum-20071, seed 1627; the same storm was an
    error of round 3 of the tuning gold)."""
    text = (
        "Tempête Fabien : 15 départements en alerte\n\nUne grande partie du quart Sud-Ouest est "
        "concernée par l'alerte vigilance orange aux vents violents, ainsi que la Corse, en "
        "raison de la tempête Fabien.\n\nUn homme est porté disparu en Méditerranée, après "
        "avoir chuté d'un voilier.\n\nAvant Fabien, Elsa...\n\nAlors que la tempête Fabien doit "
        "s'abattre sur la France ce week-end, le pays a déjà été frappé par la tempête Elsa en "
        "cette fin de semaine."
    )
    assert not persons(text) & {"Tempête Fabien", "Fabien", "Elsa"}


def test_an_acronym_takes_no_particle_and_a_national_guard_is_no_town() -> None:
    """``Premier ministre de DSK`` is someone's minister, not a ``de DSK`` (round 3 of the
    tuning gold, orangesum-23847); ``la Garde nationale`` of a US story is not La Garde, Var
    (unlabelled orangesum-36271, seed 1627)."""
    text = (
        "\"Lui qui se voyait volontiers Premier ministre de DSK, le voici en première ligne\", "
        "ajoute-t-il."
    )
    assert "de DSK" not in persons(text)
    text = (
        "Il a réitéré ses attaques lors d'un déplacement au Texas, menaçant \"d'envoyer la "
        "Garde nationale\" à Portland."
    )
    assert "FR" not in countries(text)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # round 2 of the tuning gold (orangesum-34591), unlabelled orangesum-33143 (seed 1625)
        (
            "\"Nous avons reçu une demande des autorités françaises\", a déclaré une "
            "porte-parole de PST, Annett Aamodt. \"Une demande d'extradition a été reçue.\"",
            "Annett Aamodt",
        ),
        (
            "\"Il est intolérable que des journalistes soient pris pour cible\", ont affirmé ces "
            "dirigeants, dont font partie Sibyle Veil, PDG de Radio France et présidente de "
            "l'organisation Les médias publics.",
            "Sibyle Veil",
        ),
    ],
)
def test_proper_names_with_a_role_beside_them_are_a_person(text: str, wanted: str) -> None:
    """Issue 16, session 9: two proper names the model calls a place or a thing, with a role
    in apposition before or after them, are a person (``_person_shaped``)."""
    assert wanted in persons(text)


# Issue 16, session 10 (eighth round): classes from the errors of the held-out rounds 4 and 5
# (``bench/gold/entities-round4.jsonl``, ``entities-round5.jsonl``), each checked on 1,500
# unlabelled OrangeSum articles outside every gold file (seed 1631).


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an animal's name, after its noun or in a list with one that is (orangesum-20680)
        (
            "Les pandas Huan Huan et Yuan Zi dix ans de plus à Beauval ?\n\nC'est ce qu'a "
            "confié Rodolphe Delord, le directeur du zoo de Beauval. Le bébé panda Yuan Meng, "
            "lui, s'en ira en Chine. Le bébé de Huan Huan et Yuan Zi, Yuan Meng, né le 4 août "
            "2017, ne devrait pas rester en France.",
            {"Rodolphe Delord"},
            {"Huan Huan", "Yuan Zi", "Yuan Meng"},
        ),
        # a firm's name in the English possessive (orangesum-30124)
        (
            "La situation a rapidement dégénéré, lorsque de nombreux black blocs ont attaqué un "
            "Mc Donald's situé sur le trajet, mais également une concession Renault.",
            set(),
            {"Mc Donald", "Mc Donald's"},
        ),
        # a quoted title after a work's noun or "l'actrice de" (orangesum-14554 of round 4,
        # unlabelled orangesum-9793)
        (
            "L'actrice de \"Joséphine, ange gardien\" a même failli subir une opération. "
            "L'actrice fête cette année les vingt ans de la série populaire de TF1 \"Joséphine, "
            "ange gardien\", qui continue de séduire le public.",
            set(),
            {"Joséphine"},
        ),
        (
            "Seuls 10 spectateurs avaient acheté leur billet pour avoir la chance d'écouter "
            "l'interprète de \"Eve lève-toi\" dans la petite salle socio-culturelle.",
            set(),
            {"Eve"},
        ),
        # newspapers and design studios in other languages (orangesum-5232, -8018)
        (
            "Elle confirmait ainsi des informations publiées mercredi soir par les quotidiens "
            "français Le Monde et allemand Süddeutsche Zeitung.",
            set(),
            {"Süddeutsche Zeitung"},
        ),
        (
            "L'équipe néerlandaise de Niels van Roij Design travaille actuellement à la "
            "conception d'une version moderne de la Ferrari « Breadvan ».",
            set(),
            {"Niels van Roij Design"},
        ),
        # a circuit named after a person (orangesum-6345 of round 4)
        (
            "La Bugatti Chiron en démo sur le circuit Paul Ricard\n\nLe temps d'une rencontre "
            "avec ses clients, Bugatti a déposé sur le circuit du Castellet ses modèles.",
            set(),
            {"Paul Ricard"},
        ),
    ],
)
def test_animals_firms_and_works_are_no_persons(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 10: an animal named like a person (``_animal_words``), a firm in the
    possessive, a quoted work after its noun (``_opens_work_title``), a newspaper or a studio
    (``ORG_WORDS``), a circuit (``THING_CUES``)."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # the particle's elision ends the name (orangesum-5232)
        (
            "Une journaliste allemande a indiqué jeudi à l'AFP avoir déposé plainte pour "
            "agression sexuelle contre l'ancien président de la République française Valéry "
            "Giscard d'Estaing, l'accusant de lui avoir touché plusieurs fois les fesses.",
            {"Valéry Giscard d'Estaing"},
            {"Valéry Giscard"},
        ),
        # a single name with a speaker's verb or a role in apposition (orangesum-4031, -16753)
        (
            "\"C'est l'exemple d'une usine déconnectée du terrain, qui continue son activité sans "
            "aucune contrainte environnementale internationale\", dénonce Cyprien. Le jeune "
            "homme pointe aussi \"la relégation\" de cette usine.",
            {"Cyprien"},
            set(),
        ),
        (
            "Selon les premières informations de la police, les blessures des victimes seraient "
            "légères. Léonard, un témoin de la scène raconte ce terrible accident à LCI.",
            {"Léonard"},
            set(),
        ),
        # ... but not a firm's spokesman, nor a people (orangesum-2902 of round 5)
        (
            "Un porte-parole d'Abbott a répondu que les résultats n'étaient \"pas cohérents\" "
            "avec ceux d'autres études.",
            set(),
            {"Abbott"},
        ),
        # a surname the model calls a thing after a role (orangesum-21628)
        (
            "Lors de sa campagne présidentielle, le candidat Macron avait promis l'interdiction "
            "du glyphosate, cet herbicide considéré comme cancérigène.",
            {"Macron"},
            set(),
        ),
        # a foreign name after an office and its domain, or a role and its complement
        # (orangesum-19288 of round 4, orangesum-35239 of round 4)
        (
            "Quelque 6.000 personnes étaient en garde à vue dimanche 17 juillet, a indiqué le "
            "ministre de la Justice Bekir Bozdag. Tôt dimanche, dans la ville de Denizli "
            "(ouest), le commandant de la garnison Ozhan Ozbakir a été arrêté avec 51 soldats.",
            {"Bekir Bozdag", "Ozhan Ozbakir"},
            set(),
        ),
        (
            "\"La Finul doit rester sans modification de son mandat\", a affirmé cette semaine "
            "le chef de la diplomatie libanaise Charbel Wehbé, s'alignant sur le Hezbollah.",
            {"Charbel Wehbé"},
            set(),
        ),
        # ... not an ordinal before a product (unlabelled orangesum-3843)
        (
            "Citroën a produit des véhicules populaires, sportifs et exotiques, depuis la "
            "première Type A Torpédo sortie d'usine avec le logo Citroën.",
            set(),
            {"Type A Torpédo"},
        ),
    ],
)
def test_names_completed_and_single_names_with_evidence(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 10: ``PARTICLE_TAIL``, ``SPEECH_SINGLE`` and ``ROLE_BEFORE``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an event named after Le Mans (orangesum-8018)
        (
            "Une sportive ultra légère capable de rivaliser avec les meilleurs concurrents "
            "engagés aux 24 Heures du Mans 1962, sa première apparition en course.",
            {"FR"},
            set(),
        ),
        # a town of Belarus that France has too (orangesum-32552)
        (
            "Des dizaines de milliers de personnes se sont rassemblées dimanche au Belarus. Une "
            "cinquantaine d'interpellations ont été recensées dans les villes de Grodno, Gomel "
            "et Brest. A Brest (sud-ouest), du gaz lacrymogène a été utilisé.",
            {"BY"},
            {"FR"},
        ),
        # a département "de" an office before the holder's name (orangesum-16547)
        (
            "Un cas de coronavirus a été confirmé : il s'agit de la sénatrice de Lozère Guylène "
            "Pantel. \"Son état de santé est bon\", a précisé son entourage.",
            {"FR"},
            set(),
        ),
        # a treaty is named after a city, not after its state (unlabelled orangesum-32366,
        # -20401)
        (
            "Joe Biden a promis le retour des Etats-Unis dans l'accord de Paris sur le climat.",
            {"US"},
            {"FR"},
        ),
        (
            "Les critères de convergence sont en vigueur au sein de l'Union depuis le traité de "
            "Maastricht.",
            set(),
            {"NL"},
        ),
        # the Vienne of a French article is the département (unlabelled orangesum-2240)
        (
            "France Bleu Poitou rapporte cet improbable sauvetage à Poitiers (Vienne). Deux "
            "braqueurs ont tenté de voler une passante.",
            {"FR"},
            {"AT"},
        ),
    ],
)
def test_events_treaties_and_towns_of_two_countries(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 10: ``du Mans``, ``Brest`` and ``Vienne`` decided by the article's
    other places (``data/ambiguous.tsv``), ``_office_of_place``, ``_treaty_name``."""
    countries_as_wanted(text, wanted, unwanted)


# Issue 16, session 10, ninth round: classes seen in the fresh round 6
# (``bench/gold/entities-round6.jsonl``) and rounds 4-5, each checked on 1,500 unlabelled
# OrangeSum articles outside every gold file (seed 1631).
@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a surname cut to its initial: the press keeps the person anonymous (round 6,
        # orangesum-35008, -635)
        (
            "Il ressort des premières investigations de l'inspection relative au suivi "
            "socio-judiciaire de monsieur François V. conduites depuis le samedi 29 août, que "
            "le suivi de ce dossier ne présente aucun manquement.",
            set(),
            {"François V.", "François"},
        ),
        (
            "Le docteur V., spécialisé dans les opérations du dos, a été placé sous contrôle "
            "judiciaire avec interdiction d'exercer, a précisé le procureur de la République "
            "Eric Vaillant.",
            {"Eric Vaillant"},
            {"V."},
        ),
        # a regnal number after a given name of the world, not only a French one (round 6,
        # orangesum-3776; unlabelled orangesum-32568)
        (
            "Hugo conserva l'invitation de Nadar qu'il colla sur ses Carnets intimes, après "
            "avoir arraché de l'enveloppe le timbre qui représentait Napoléon III, qu'il "
            "surnommait avec mépris \"Napoléon le Petit\".",
            {"Napoléon III"},
            set(),
        ),
        (
            "L'ancien monarque, âgé de 82 ans, a annoncé sa décision de quitter l'Espagne à son "
            "fils, le roi Felipe VI, qui l'a acceptée.",
            {"Felipe VI"},
            set(),
        ),
        # a product's name after its noun, and its words alone elsewhere (round 4,
        # orangesum-6345; round 5, orangesum-2550; unlabelled orangesum-2757) ...
        (
            "Bugatti a déposé sur le circuit du Castellet, dans le Var, ses modèles Chiron et "
            "Chiron Sport, pour des séances de roulage. La Chiron y passe de 0 à 100 km/h en "
            "2.4 secondes.",
            set(),
            {"Chiron", "Chiron Sport"},
        ),
        (
            "Le coupé a été restauré par Luigi Calvasina. Il est proposé avec son certificat "
            "Ferrari Classiche et devrait être vendu pour un montant élevé.",
            {"Luigi Calvasina"},
            {"Ferrari Classiche"},
        ),
        # ... but not a person whose surname the product bears
        (
            "La marque a été fondée en 1963 par Ferruccio Lamborghini. Le film met en scène un "
            "père, son fils et deux modèles Lamborghini Aventador.",
            {"Ferruccio Lamborghini"},
            {"Lamborghini Aventador"},
        ),
    ],
)
def test_anonymised_initials_regnal_numbers_products(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 10 (ninth round): ``ANONYMISED``, ``WORLD_REGNAL`` and
    ``PRODUCT_NAMES``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # one office of the French state in an article that names no country (round 5,
        # orangesum-22771; unlabelled orangesum-22287)
        (
            "Jean-Michel Blanquer veut s'attaquer au chantier de l'école maternelle. Dans une "
            "interview publiée ce samedi par Ouest-France, le ministre de l'Éducation annonce "
            "l'organisation d'assises de la maternelle en mars prochain.",
            {"FR"},
            set(),
        ),
        (
            "Contre la pauvreté, le gouvernement songe à offrir des petits-déjeuners dans "
            "certaines écoles.",
            {"FR"},
            set(),
        ),
        # ... but a party alone gives no country, as the gold decides (unlabelled
        # orangesum-12124)
        (
            "Les polémiques autour de cette militante de la France insoumise se multiplient "
            "et Le Canard enchaîné en rajoute.",
            set(),
            {"FR"},
        ),
    ],
)
def test_one_institution_of_the_french_state(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 10 (ninth round): ``countries.ONE_FRENCH_CUE`` (GUIDE.md: a French
    institution gives FR; the gold gives none for a party alone)."""
    countries_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a role "de" an organisation, then the person's name, run into one span (round 7,
        # orangesum-18104 and -8241; unlabelled orangesum-32106)
        (
            "Selon la journaliste de Politis Vanina Delmas, la ministre a proposé de recevoir "
            "une délégation d'étudiants dans ses bureaux alors qu'ils réclamaient une assemblée "
            "générale.",
            {"Vanina Delmas"},
            {"Politis Vanina Delmas"},
        ),
        (
            "Ce geste a été popularisé par le joueur de NFL Colin Kaepernick, devenu un "
            "porte-voix des protestations aux Etats-Unis contre les violences policières.",
            {"Colin Kaepernick"},
            set(),
        ),
        (
            "Il affrontera le candidat du RN Jean-Cyril Montier (18,01%), seul qualifié au 2e "
            "tour.",
            {"Jean-Cyril Montier"},
            set(),
        ),
        # ... but an organisation's noun cut from a name is no role's (unlabelled
        # orangesum-33294)
        (
            "Le dirigeant de l'Eglise Sarang Jeil, Jun Kwang-hun, était ce week-end l'un des "
            "organisateurs d'une manifestation.",
            {"Jun Kwang-hun"},
            {"Sarang Jeil"},
        ),
        # a given name takes no particle after a kinship title (round 7, orangesum-8398)
        (
            "Charlotte Casiraghi, fille de Caroline de Monaco, a officialisé son mariage. "
            "Pierre, le frère de Charlotte, va être papa pour la deuxième fois.",
            {"Charlotte Casiraghi"},
            {"de Charlotte"},
        ),
        # the full name the model called a thing, of a surname kept alone (unlabelled
        # orangesum-10415, -2588, -31908)
        (
            "Lundi, Fayez al-Sarraj, le chef du GNA, a annoncé dans un communiqué la prise de "
            "cette base.\n\n\"C'est le début de la victoire\", a dit M. Sarraj.",
            {"Fayez al-Sarraj"},
            {"Sarraj"},
        ),
        (
            "La pandémie continue de s'accélérer, a prévenu lundi le directeur général de "
            "l'Organisation mondiale de la Santé (OMS), Tedros Adhanom Ghebreyesus.\n\n\"Nous "
            "ne savons pas où ni quand la prochaine pandémie se produira\", a averti M. Tedros.",
            {"Tedros Adhanom Ghebreyesus"},
            {"Tedros"},
        ),
        # a newspaper's title after its noun and adjectives (round 7, orangesum-3050)
        (
            "L'enquête fait suite à une plainte reçue par la police et à un article paru dans "
            "le quotidien belge néerlandophone De Morgen. Le journal a publié la photo d'un "
            "homme.",
            set(),
            {"De Morgen"},
        ),
        # the author of a work named in quotes (round 7, orangesum-11369)
        (
            "Le chef de l'État a passé une vingtaine de minutes en compagnie d'amateurs qui "
            "répétaient \"Le Messie\" de Haendel et \"Carmen\" de Bizet, sous la direction du "
            "directeur artistique de l'ensemble.",
            {"Haendel", "Bizet"},
            set(),
        ),
    ],
)
def test_roles_of_organisations_full_forms_papers_and_authors(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 11 (tenth round): ``ROLE_OF_NAME``, ``GIVEN_NO_PARTICLE``,
    ``FULL_FORMS``, ``PRESS_TITLES`` and ``WORK_AUTHORS``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a soft hyphen inside a word does not cut it (unlabelled orangesum-16896)
        (
            "\"Un été, il m'a ouvert ses \xadbureaux, boule\xadvard \xadMale\xadsherbes. Il "
            "m'a fait un chèque\", raconte-t-il au sujet de Patrick Sébastien.",
            set(),
            {"MV"},
        ),
        # a town's name joined to a particle by hyphens is not its first word's town
        # (unlabelled orangesum-35349)
        (
            "Une Clio a également été retrouvée dans la nuit de samedi à dimanche à "
            "Mons-en-Baroeul, en banlieue de Lille.",
            {"FR"},
            {"BE"},
        ),
        # an acronym's language is no country (unlabelled orangesum-28405)
        (
            "Une porte-parole de la Commission européenne a confirmé : \"Je confirme que le "
            "RASFF (acronyme anglais pour le système d'alerte rapide pour la nourriture, ndlr) "
            "a été activé.\"",
            set(),
            {"GB"},
        ),
    ],
)
def test_soft_hyphens_compound_towns_acronyms(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 11 (tenth round): ``countries.SOFT_HYPHENS``, ``COMPOUND_TOWNS`` and
    the language cue ``acronyme``."""
    countries_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        # a role noun ends the sentence or the paragraph before a capitalised word: no title
        # of it (unlabelled orangesum-18199 and -15260; round 7, orangesum-26552)
        (
            "\"C'est une idée géniale, même si je lui ai dit que j'adorais le principe\", "
            "confie l'acteur.\n\nSachant exactement ce qu'il veut, il a refusé le rôle.",
            "Sachant",
        ),
        (
            "A l'approche de la présidentielle, certaines personnalités affichent leur "
            "préférence pour un candidat.\n\nSaurez-vous retrouver qui soutient qui ?",
            "Saurez",
        ),
        (
            "► Deux fois moins de députés\n\nReprendre le contrôle des institutions est l'une "
            "des composantes principales de la \"République nouvelle\" prônée par Arnaud "
            "Montebourg.",
            "Reprendre",
        ),
    ],
)
def test_a_title_ends_no_sentence_before_the_name(text: str, unwanted: str) -> None:
    """Issue 16, session 11 (tenth round): ``persons.TITLE_IN_SENTENCE``."""
    assert unwanted not in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a brand the archive knows as a firm, then a model: a product (unlabelled
        # orangesum-1078; also -8048's McLaren Senna, -32837's Lotus Evija, which the model
        # calls a person only in their whole articles)
        (
            "La Bugatti Veyron fête ses 15 ans : genèse d'un succès\n\n15 avril\n\nEn 2005 le "
            "constructeur de Molsheim lançait en production la Bugatti Veyron, son premier "
            "modèle du nouveau siècle.",
            set(),
            {"Bugatti Veyron"},
        ),
        # a platform's name glued before a person's (unlabelled orangesum-12834)
        (
            "\"Soyez prudents mes amis si chers à mon cœur, je suis avec vous de toutes mes "
            "forces\", avait posté sur Instagram Laeticia Hallyday.",
            {"Laeticia Hallyday"},
            {"Instagram Laeticia Hallyday"},
        ),
    ],
)
def test_brand_models_and_platforms_before_names(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 11 (tenth round): ``persons.BRAND_MODELS`` and ``PLATFORM_HEAD``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an office "de" a firm, a trade "de" a work: no particle, no person (unlabelled
        # orangesum-1508, -557, -9009)
        (
            "Stephan Winkelmann, le Président de Bugatti, son Directeur Général Christophe "
            "Piochon, le Directeur du Développement Stefan Ellrott ainsi que les ingénieurs "
            "présentent le modèle.",
            {"Christophe Piochon"},
            {"de Bugatti"},
        ),
        (
            "\"Nous n'avons pas d'autre choix que de réduire notre force de travail\", a "
            "expliqué Paul Walsh, le Président de McLaren, à la BBC.",
            {"Paul Walsh"},
            {"de McLaren"},
        ),
        (
            "Pour des raisons personnelles, le compositeur américain ne signera pas la "
            "bande-originale du nouveau film du réalisateur de Lincoln. Thomas Newman devrait "
            "le remplacer.",
            {"Thomas Newman"},
            {"de Lincoln"},
        ),
        # ... but a person's particle after an office stays (unlabelled orangesum-21596)
        (
            "\"Après sept jours de cette guerre d'usure, ce mardi, à 1h moins deux minutes, le "
            "président de Rugy décide, arbitrairement, de prolonger les débats.\"",
            {"de Rugy"},
            set(),
        ),
    ],
)
def test_an_office_of_a_firm_takes_no_particle(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 11 (tenth round): ``persons.OFFICE_OF``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # Bruxelles standing for the European Union gives no BE (round 6, orangesum-34441;
        # unlabelled orangesum-24571)
        (
            "Les négociations butent notamment sur la pêche et les conditions de concurrence "
            "équitable. Le temps presse, Bruxelles voulant un accord d'ici à la fin octobre "
            "pour permettre une ratification dans les temps.",
            set(),
            {"BE"},
        ),
        (
            "\"Il y a nécessité de tenir les 3% (de déficit public imposé par Bruxelles ndlr). "
            "Et donc il faut que tous les ministères fassent des économies\", a concédé le "
            "député.",
            set(),
            {"BE"},
        ),
        # ... but a meeting held there gives it, as the gold decides (unlabelled
        # orangesum-35772)
        (
            "Après une réunion à Bruxelles, l'Union européenne a donné son accord à des "
            "sanctions contre des responsables bélarusses.",
            {"BE"},
            set(),
        ),
    ],
)
def test_the_seat_of_the_european_union(text: str, wanted: set[str], unwanted: set[str]) -> None:
    """Issue 16, session 11 (tenth round): ``countries.EU_SEAT``."""
    countries_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a paint's or a leather's colour (round 7, orangesum-5519; unlabelled
        # orangesum-4571, -31839)
        (
            "Trois thèmes sont proposés pour habiller leur cockpit : cuir Nappa noir et placage "
            "bois en frêne noir, cuir Macchiato Beige/Yacht Blue et bois clair, et enfin cuir "
            "Macchiato Beige/Lounge Red avec finitions piano black.",
            set(),
            {"Lounge Red"},
        ),
        (
            "Il accueille côté cockpit un Alcantara trois tons (Grigio Octans, Grigio Cronus et "
            "Arancio Dryope) et des éléments réalisés en fibre de carbone.",
            set(),
            {"Grigio Octans", "Grigio Cronus", "Arancio Dryope"},
        ),
        (
            "Cinq nouvelles livrées font également leur apparition au catalogue du modèle (Vert "
            "Pomme, Gris Manhattan, Bleu Navarre, Gris Flèche et Bleu Turbo).",
            set(),
            {"Vert Pomme", "Gris Flèche", "Bleu Turbo"},
        ),
        # ... but a given name that is a colour is still one
        (
            "SDF : l'humoriste Blanche Gardin refuse l'ordre des Arts et des Lettres.",
            {"Blanche Gardin"},
            set(),
        ),
        # a commune named after a saint (unlabelled orangesum-2778)
        (
            "Le corps d'une octogénaire a été découvert mercredi 1er janvier dans une maison en "
            "partie incendiée de Saint-Léonard de Noblat, en Haute-Vienne.",
            set(),
            {"Saint-Léonard de Noblat"},
        ),
        # a given name of the world's takes no particle after a kinship title (unlabelled
        # orangesum-26527, -14638)
        (
            "Les douloureuses confidences du frère de Jenifer\n\nEnfin, des nouvelles de "
            "Jenifer... Dans la nuit du 5 au 6 mars dernier, la chanteuse a été victime d'un "
            "terrible accident.",
            set(),
            {"de Jenifer"},
        ),
    ],
)
def test_colours_saints_communes_and_given_names_without_particle(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 11 (tenth round): ``persons.COLOURS``, ``SAINT_PLACES`` and
    ``GIVEN_NO_PARTICLE`` for the world's given names."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a joined people's name before a full name (unlabelled orangesum-13989)
        (
            "Le prix de physique est allé mardi au Canado-Américain James Peebles, qui a mis "
            "ses pas dans ceux d'Einstein pour éclairer les origines de l'univers.",
            {"James Peebles"},
            {"Canado-Américain James Peebles"},
        ),
        # firms' nouns of other languages (unlabelled orangesum-20620, -646)
        (
            "Désormais retiré de la vie politique, l'ancien Premier ministre, âgé de 64 ans, a "
            "rejoint il y a un an, en tant qu'associé, la société de gestion d'actifs et "
            "d'investissement Tikehau Capital.",
            set(),
            {"Tikehau Capital"},
        ),
        (
            "En 2019 Lamborghini Automobili a livré 8 205 véhicules à travers le monde, un "
            "chiffre en hausse de 43 % par rapport à l'exercice précédent.",
            set(),
            {"Lamborghini Automobili"},
        ),
    ],
)
def test_joined_demonyms_and_foreign_organisation_words(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 11 (tenth round): ``persons.DEMONYM_HEAD`` and the organisation
    words ``capital``, ``automobili``... (``harbour``, ``rapids``, ``springs``, ``airport``
    for places: ``Macquarie Harbour`` in unlabelled orangesum-31445)."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a firm, a journal, a client and a lobby whose later word the archive writes in lower
        # case (unlabelled orangesum-35718, -33568, -29915, -22127, -29221)
        (
            "Une compagnie privée, Aamin Ambulance, a chiffré le nombre de blessés à au moins 28.",
            set(),
            {"Aamin Ambulance"},
        ),
        (
            "Utilisant des données remontant jusqu'en 1766, l'étude publiée jeudi dans la revue "
            'Scientific Reports "montre que les sécheresses de deux étés consécutifs en 2018 et '
            '2019 sont sans précédent depuis 250 ans".',
            set(),
            {"Scientific Reports"},
        ),
        (
            "Selon Le Parisien qui publie ce mercredi 23 mai le dernier baromètre de l'institut "
            "Ipsos pour Europ Assistance, 69% des Français vont partir en juillet et en août.",
            set(),
            {"Europ Assistance"},
        ),
        (
            'Avant de s\'interroger : "Dans ces conditions, à quoi bon faire une enquête publique '
            'si l\'État a déjà cédé au lobby Vinci Autoroute".',
            set(),
            {"Vinci Autoroute"},
        ),
        # surnames the lemma index knows but the archive writes as names, after a given name
        # no list has (unlabelled orangesum-21878, -32178): still people
        (
            "L'établissement porte le prénom de la fille du journaliste, Solenn Poivre d'Arvor, "
            "elle-même anorexique et qui s'est suicidée en 1995, à l'âge de 20 ans.",
            {"Solenn Poivre d'Arvor"},
            set(),
        ),
        (
            "Vêtue aux couleurs de l'Amérique, Joanette Kraft confiait à l'AFP avoir pris sa "
            "journée pour venir depuis Milwaukee, à environ 50 minutes de voiture.",
            {"Joanette Kraft"},
            set(),
        ),
    ],
)
def test_a_word_the_archive_writes_in_lower_case_makes_a_thing(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 13: ``persons.ANY_WORD_EVIDENCE`` with ``archive_types.lower_words``
    (the lemma index alone would take ``Poivre`` and ``Kraft`` for common words)."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # after "de", a firm's or a charity's name that is no given name, then a full name
        # (unlabelled orangesum-28085, -36392, -24516, -26218)
        (
            "Je dirais qu'il pense éventuellement à un retour\", analysait l'essayiste diplômé "
            "de Sciences Po et contributeur d'Atlantico Olivier Gracia le 6 décembre dernier.",
            {"Olivier Gracia"},
            {"Atlantico Olivier Gracia"},
        ),
        (
            "Présent à ses côtés, le cofondateur d'Acted Frédéric Roussel n'a écarté aucune "
            "piste mais a indiqué qu'il pourrait s'agir \"a priori d'une attaque d'opportunité\".",
            {"Frédéric Roussel"},
            {"Acted Frédéric Roussel"},
        ),
        (
            "Après le directeur artistique de Balmain Olivier Rousteing, c'est au tour de Karl "
            "Lagerfeld de vanter les atouts de Brigitte Macron.",
            {"Olivier Rousteing", "Karl Lagerfeld"},
            {"Balmain Olivier Rousteing"},
        ),
        # a foreign given name no list has, after a title: the name stays whole
        (
            'C\'est une décision "scandaleuse", a réagi leur avocat Me Slim Ben Achour.',
            {"Slim Ben Achour"},
            {"Ben Achour"},
        ),
    ],
)
def test_an_organisation_before_a_full_name_after_de(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 13: ``persons.NO_GIVEN_HEAD``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # nicknames and titles: a civility title before a word the archive writes in lower
        # case (unlabelled orangesum-32046, -36227, -27168)
        (
            '"Blanquer cherche à se poser en Monsieur Autorité du gouvernement.',
            set(),
            {"Autorité"},
        ),
        (
            'L\'ancien président de Taïwan, Lee Teng-hui, qualifié de "M. Démocratie" pour son '
            "rôle dans la transition politique sur cette île, est mort jeudi à l'âge de 97 ans.",
            {"Lee Teng-hui"},
            {"Démocratie"},
        ),
        (
            "Henri d'Orléans, dit le Comte de Paris, est décédé ce lundi matin 21 janvier "
            "relate Le Figaro, qui s'appuie sur un message de son fils.",
            set(),
            {"Comte"},
        ),
        # an age after a given name no list has still says person (unlabelled orangesum-33419)
        (
            "Les migrants désespèrent de voir l'Europe les accueillir.\n\nAnge, 23 ans, est "
            "arrivé de République Démocratique du Congo il y a près d'un an.",
            {"Ange"},
            set(),
        ),
    ],
)
def test_a_single_word_the_archive_writes_in_lower_case_is_no_person(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 13: ``persons.SINGLE_LOWER``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an office "de" a firm, a town or a person the archive never writes with a particle
        # (unlabelled orangesum-27593, -35735, -35708, -33175, -23265)
        (
            "Agathe Bousquet, présidente de Publicis, Jean-Luc Déchéry, PDG de la maison de "
            "maroquinerie Camille Fournet, et Laurent Mignon sont nommés chevaliers.",
            {"Agathe Bousquet", "Laurent Mignon"},
            {"de Publicis", "Publicis"},
        ),
        (
            "Robin Smith, vice-président de Lego pour la Chine, l'Asie et le Pacifique, avait "
            "pointé du doigt les potentiels problèmes de sécurité de ces contrefaçons.",
            {"Robin Smith"},
            {"de Lego", "Lego"},
        ),
        (
            "Laurent Simon, le maire de Chalifert, a été frappé lundi soir par un habitant qui "
            "lui reprochait sa gestion du stationnement dans le village.",
            {"Laurent Simon"},
            {"de Chalifert"},
        ),
        (
            "Verlaine et Rimbaud font l'objet d'une campagne pour les faire entrer ensemble au "
            "Panthéon, idée contre laquelle ont plaidé une descendante du frère de Rimbaud et "
            "plusieurs intellectuels.",
            set(),
            {"de Rimbaud"},
        ),
        (
            'Non sans se plaindre : "Moi, ancien ministre de Mitterrand, j\'ai été traité comme '
            'un fraudeur, j\'ai été humilié".',
            set(),
            {"de Mitterrand"},
        ),
        # the archive's particle names keep theirs after an office (main's behaviour)
        (
            "Il a d'abord rendu hommage au général de Gaulle, un homme politique.",
            {"de Gaulle"},
            {"Gaulle"},
        ),
        (
            "Ce mardi, à 1h moins deux minutes, le président de Rugy décide, arbitrairement, de "
            "lever la séance.",
            {"de Rugy"},
            {"Rugy"},
        ),
    ],
)
def test_a_particle_after_an_office_is_the_archive_s(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 13: ``persons.PARTICLE_NAMES`` with ``archive_types.particle_names``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # ships, prizes and services named with an article before every mention (unlabelled
        # orangesum-34356, -36541, -31824, -20570)
        (
            "Le bateau, le Louise Michel, a récupéré vendredi 130 migrants à la dérive à bord "
            "d'un canot pneumatique qui prenait l'eau.",
            set(),
            {"Louise Michel"},
        ),
        (
            "Mais, il y a eu une grosse épidémie sur un porte-avions, le Charles de Gaulle, où "
            "la moyenne d'âge est d'environ 30 ans.",
            set(),
            {"Charles de Gaulle"},
        ),
        (
            "Madonna sera aussi co-scénariste, aux côtés de Diablo Cody, qui avait remporté "
            "l'Oscar du meilleur scénario pour \"Juno\" (2007).",
            {"Diablo Cody"},
            {"Oscar"},
        ),
        (
            "Après cinq appels au Samu, une femme de 62 ans est décédée le 14 septembre dernier "
            "dans une commune du territoire de Belfort.",
            set(),
            {"Samu"},
        ),
        # in someone's manner: still people (tuning orangesum-13222, unlabelled
        # orangesum-27211)
        (
            "Se disant \"gaulliste\", la quinquagénaire reste inclassable et prend parfois des "
            "accents à la Pierre Rabhi (un des pionniers de l'agroécologie).",
            {"Pierre Rabhi"},
            set(),
        ),
        (
            "En avril, il confiait à l'AFP vouloir \"faire une campagne numérique à la Donald "
            "Trump\" et dénonçait \"la faiblesse idéologique de la droite française\".",
            {"Donald Trump"},
            set(),
        ),
    ],
)
def test_a_name_after_an_article_every_time_is_no_person(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 13: ``persons.DETERMINED``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # an article and one word, with no title or cue: a body, a paper, a place (unlabelled
        # orangesum-25696, -29202, -33045, -26666)
        (
            "Le Cojo, qui organise l'événement, n'a pas fixé de minimums, en mettant en avant "
            'les règles de libre concurrence, mais il revendique "une démarche volontariste".',
            set(),
            {"Le Cojo"},
        ),
        (
            "La justice suisse a ouvert une enquête au sujet de Jean-Yves Henry, un médecin "
            "généraliste français qui exerce en Suisse, a rapporté le quodien suisse, Le "
            "Courrier.",
            {"Jean-Yves Henry"},
            {"Le Courrier"},
        ),
        (
            "Cet homme d'une trentaine d'années s'est présenté de lui même au commissariat de "
            "police de La Bocca, a précisé cette source, confirmant l'information de Nice-Matin.",
            set(),
            {"La Bocca"},
        ),
        (
            "Selon des propos rapportés par le Canard Enchaîné du 7 décembre et repérés par Le "
            "Lab, Manuel Valls se félicite au moins d'avoir ouvert les yeux à François Hollande.",
            {"Manuel Valls", "François Hollande"},
            {"Le Lab"},
        ),
        # a surname the archive writes after given names keeps its article
        (
            "Interrogé sur ce point, Le Pen a répondu que le parti ne changerait pas de ligne.",
            {"Le Pen"},
            set(),
        ),
    ],
)
def test_an_article_and_a_word_need_a_cue(text: str, wanted: set[str], unwanted: set[str]) -> None:
    """Issue 16, session 13: ``persons.ARTICLE_NAMES`` with ``archive_types.particle_names``."""
    found_as_wanted(text, wanted, unwanted)


def test_the_archive_s_surnames_with_an_article_are_no_article_name() -> None:
    """``archive_types.particle_names`` holds the surnames the shipped corpus writes after a
    given name with their article (``Marine Le Pen``, ``Jean-Yves Le Drian``), and no name
    it writes otherwise (``Le Cojo``, ``La Joconde``)."""
    from search.ingest.entities.persons import _article_name

    assert not _article_name("Le Pen") and not _article_name("Le Drian")
    assert _article_name("Le Cojo") and _article_name("La Joconde")


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        # a firm named once after its noun, then quoted (unlabelled orangesum-29245, -22362)
        (
            "La société Mounier a annoncé vendredi 10 août avoir rappelé des lots de fromages "
            'au lait de chèvre "Pélardon". Les symptômes "se traduisent par des troubles '
            'gastro-intestinaux souvent accompagnés de fièvre", a rappelé Mounier.',
            "Mounier",
        ),
        (
            "Menée par le cabinet Deloitte, un million de fiches de paie ont été scrutées, "
            "réparties dans plus de 400 entreprises.\n\n\"L'année est favorable au pouvoir "
            "d'achat des salariés d'autant que l'inflation est restée contenue\", indique "
            "Deloitte.",
            "Deloitte",
        ),
    ],
)
def test_a_firm_named_once_by_its_noun_is_a_firm_everywhere(text: str, unwanted: str) -> None:
    """Issue 16, session 13: ``persons.FIRM_NAMES``."""
    assert unwanted not in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a headline that opens with a noun the lemma index lacks but the archive writes in
        # lower case (unlabelled orangesum-22409, its first paragraphs)
        (
            'VIDÉO. Propos de Wauquiez : "Certains ne sont pas fondés à donner des leçons aux '
            'autres", réplique Juppé\n\nAttaqué sur sa gestion de la ville lors d\'un cours '
            "donné par Laurent Wauquiez à des étudiants de Lyon, le maire de Bordeaux n'avait "
            "pas encore réagi. Lundi après-midi, l'ancien Premier ministre a dénoncé des "
            '"propos d\'une vulgarité extrême".',
            {"Laurent Wauquiez"},
            {"Propos de Wauquiez"},
        ),
    ],
)
def test_a_word_the_lemma_index_lacks_is_common_when_the_archive_says_so(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 13: ``persons.ARCHIVE_COMMON``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # a kinship noun, a comma, then the relative (unlabelled orangesum-30906, -23730,
        # -25805): a person, a given name alone or a surname the archive writes in lower case
        ("Pour sa mère, Badra, c'est une petite victoire.", "Badra"),
        ("Sa compagne, Marjorie, est son assistante parlementaire depuis cinq ans.", "Marjorie"),
        (
            "\"Ma mère n'est pas morte pour rien, on ne peut que se réjouir, il y avait une "
            "grosse crainte d'un acquittement\", a lancé leur fille, Carlyne Bouchon.",
            "Carlyne Bouchon",
        ),
    ],
)
def test_a_relative_after_a_kinship_noun_and_a_comma(text: str, wanted: str) -> None:
    """Issue 16, session 13: ``persons._KIN_BEFORE`` takes a comma after the noun."""
    assert wanted in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a surname alone, of a person the archive names in full hundreds of times (unlabelled
        # orangesum-26793, -25244; round 8's "On a souffert avec Sarkozy" is the same class).
        # "Jospin" alone was a person here with the tables counted before session 14's
        # recount; the recount, which leaves every gold article out, sees it alone fewer than
        # archive_types.MIN_SEEN times, so the rule has no share to check for it.
        (
            "Le candidat propose un retour à une police de proximité mise en place au carrefour "
            "des années 1990 et 2000 sous Jospin puis enterrée sous Sarkozy.",
            {"Sarkozy"},
            set(),
        ),
        (
            '"Je me sens comme Poutine qui a le même score", plaisante le comédien.',
            {"Poutine"},
            set(),
        ),
        # ... but not after a common noun: the government, not the man (orangesum-27573)
        (
            "Il s'agit de son premier entretien si poussé avec la presse depuis son éviction du "
            "gouvernement Valls, en août 2014.",
            set(),
            {"Valls"},
        ),
        # ... nor a shop the model calls a person, whose bearers the archive names too little
        # (Charles Leclerc 6 times, E. Leclerc 3; orangesum-31068)
        (
            "Les parents d'un nourrisson domiciliés dans le département de la Manche ont décidé "
            "de porter plainte contre Leclerc, rapporte Le Parisien.",
            set(),
            {"Leclerc"},
        ),
        # ... nor an affair in quotes (orangesum-21091, a second sample's)
        (
            "Le Premier ministre s'exprimait devant la Commission d'enquête parlementaire en "
            'charge de la désormais "affaire" Benalla.',
            set(),
            {"Benalla"},
        ),
    ],
)
def test_a_known_surname_alone_is_a_person(text: str, wanted: set[str], unwanted: set[str]) -> None:
    """Issue 16, session 14: ``persons.KNOWN_SURNAMES`` with the shipped name table."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # a people's noun the model took into a full name the lists do not know (unlabelled
        # orangesum-33548, -34314; round 8's "le Slovène Tadej Pogacar" is the same class)
        (
            "Vanessa Kirby a été couronnée pour son premier rôle titre au cinéma dans \"Pieces of "
            'a woman" du Hongrois Kornel Mundruczo.',
            "Kornel Mundruczo",
        ),
        (
            "Des cinéastes confirmés sont de la compétition, comme l'Israélien Amos Gitaï avec "
            '"Laila in Haifa".',
            "Amos Gitaï",
        ),
    ],
)
def test_a_people_s_noun_before_a_full_name_is_a_role(text: str, wanted: str) -> None:
    """Issue 16, session 14: ``persons.DEMONYM_CUE``."""
    found_as_wanted(text, {wanted}, set())


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # given names as initials (unlabelled orangesum-34587, -32329; round 8's "D.H.
        # Lawrence" is the same class)
        (
            'Il a également endossé le rôle du père de Spock dans le "Star Trek" de 2009, '
            "réalisé par J.J. Abrams.",
            "J.J. Abrams",
        ),
        (
            'Il a récemment incarné O.J. Simpson dans la mini-série "American Crime Story".',
            "O.J. Simpson",
        ),
    ],
)
def test_initials_are_a_given_name(text: str, wanted: str) -> None:
    """Issue 16, session 14: ``persons.INITIALS``."""
    found_as_wanted(text, {wanted}, set())


def test_initials_before_a_word_of_the_sentence_are_no_name() -> None:
    """An acronym then a pronoun is no person (orangesum-23471, a second sample's)."""
    text = (
        'Il a échangé quelques mots avec des vétérans. "Comment allez-vous, monsieur ? - '
        "R.A.S. Je suis très honoré monsieur\", répond martialement l'ancien militaire."
    )
    assert not any(name.startswith("R.A.S.") for name in persons(text))


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # firms, media and an NGO named with English words (unlabelled orangesum-30836,
        # -36315, -30897, -23058; dev gold's "Seven Summit Treks" is the same class)
        (
            "Derrière cette opération de communication, on retrouve Stéphane Schmaltz, "
            "spécialiste de la communication de crise, le fondateur de l'agence le Pouvoir des "
            "idées, ancien pilier de l'agence Euro RSCG, devenue Havas Worldwide.",
            {"Stéphane Schmaltz"},
            {"Havas Worldwide"},
        ),
        (
            '"La condamnation de Mahmoud Moussavi Majd a été exécutée lundi matin pour '
            "espionnage afin que le cas de sa trahison envers son pays soit clos pour toujours\", "
            "a indiqué le site officiel de la justice iranienne, Mizan Online.",
            {"Mahmoud Moussavi Majd"},
            {"Mizan Online"},
        ),
        (
            "Selon une étude réalisée par Sirius Health en décembre 2017, les séjours à "
            "l'hôpital pour soigner des infections cutanées récalcitrantes ont augmenté.",
            set(),
            {"Sirius Health"},
        ),
        (
            '"Vous voulez liquider "les stocks" de poissons menacés ?", interroge Sea Shepherd '
            "dans un tweet.",
            set(),
            {"Sea Shepherd"},
        ),
        # ... a verb of speech or an age still makes such a name a person ("Win" is an
        # English word; orangesum-33063)
        (
            "Les grandes entreprises \"détruiront les collines jusqu'à ce qu'elles "
            "disparaissent\", déplore Soe Win, 55 ans.",
            {"Soe Win"},
            set(),
        ),
    ],
)
def test_a_name_with_a_word_of_another_language_needs_evidence(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 14: ``persons.FOREIGN_WORDS`` with ``data/foreign_words.txt``."""
    found_as_wanted(text, wanted, unwanted)


def test_the_archive_vote_is_no_evidence_for_a_name_with_a_foreign_word() -> None:
    """The model calls the game show a person all over the archive (``name_types.tsv``:
    25 PER of 27), so its vote says nothing here (orangesum-16050; ``FOREIGN_NO_VOTE``)."""
    text = (
        "Ainsi, questionnée au sujet des formats qu'elle affectionne, elle déclare : \"C'est "
        "très difficile de trouver un programme intéressant, mais je me régale avec Money "
        "Drop ! Je m'amuse avec Chasseurs d'appart' et je regarde encore Drucker.\""
    )
    assert "Money Drop" not in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # a quotation in lower case, then a beach (round 9, orangesum-1913)
        (
            "\"C'est pas comme dans les magasins\", a expliqué César Calmon, ravi d'avoir "
            "retrouvé \"après 70 jours, les bonnes vagues\" d'Arpoador, dans la baie "
            "d'Ipanema.",
            {"César Calmon"},
            {"Arpoador"},
        ),
        # scare quotes, then a factory, a camp, an organisation, a cathedral (unlabelled
        # orangesum-36500, -33419, -24563, -24962)
        ("Les explosions de Beyrouth ravivent \"l'apocalypse\" d'AZF à Toulouse", set(), {"AZF"}),
        (
            "Ce que Vany veut, c'est quitter Lesbos. Parce que le camp provisoire c'est un "
            "\"deuxième enfer\" après \"l'enfer\" de Moria. Il préfère encore attendre.",
            set(),
            {"Moria"},
        ),
        (
            "Devant les juges, il a reconnu avoir été membre de la \"police islamique\" de "
            "Daesh.",
            set(),
            {"Daesh"},
        ),
        (
            "L'association environnementale Robin des bois avait réclamé la "
            "\"décontamination\" de Notre-Dame, en raison notamment de la pollution.",
            set(),
            {"Notre-Dame"},
        ),
        # a work's title, capitalised, still names its author (unlabelled orangesum-11105,
        # -34724)
        (
            "Il joue le peintre intransigeant de \"La Belle Noiseuse\" de Rivette (1991), aux "
            "côtés d'Emmanuelle Béart.",
            {"Rivette"},
            set(),
        ),
        (
            "Au Théâtre de La Huchette, \"La Cantatrice Chauve\" de Ionesco, jouée depuis 1957 "
            "sur cette même scène, est auréolée du record.",
            {"Ionesco"},
            set(),
        ),
    ],
)
def test_a_quotation_in_lower_case_names_no_author(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 15: ``persons.WORK_TITLE_CAPITAL``: ``WORK_AUTHORS`` reads a name
    after quotes as a work's author only when the quoted text begins with a capital."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # any verb in the inversion of reported speech (round 9, orangesum-34174; unlabelled
        # orangesum-2492, -33627, -11725)
        (
            "\"Il a été super bienveillant et c'est vrai qu'on nous retrouve tous les deux, "
            "dans nos styles, sur ce titre\", se réjouit Suzane auprès de l'AFP.",
            {"Suzane"},
            set(),
        ),
        (
            "\"On ne répond plus aux appels de numéros inconnus (...) On voit des ennemis "
            "partout\", déplore Vicky. Pendant une dizaine d'années, elle a vécu sous le joug "
            "de la peur.",
            {"Vicky"},
            set(),
        ),
        (
            "\"Avant, il fallait attendre son tour pour avoir une table\", peste Bachir, "
            "serveur, en montrant la grande terrasse de café déserte.",
            {"Bachir"},
            set(),
        ),
        (
            "\"Des cygnes le matin, et maintenant des vaches ? Les animaux nous "
            "attaqueraient-ils?\", commentait Dimitar sur Twitter.",
            {"Dimitar"},
            set(),
        ),
        # a street in the verb's place, or a preposition, is no verb (unlabelled orangesum-26994,
        # -23716)
        (
            "Conformément au protocole, le chef des armées a auparavant déposé une gerbe au "
            "pied de la célèbre statue du \"Tigre\", place Clémenceau. Suivi de son Premier "
            "ministre Manuel Valls.",
            {"Manuel Valls"},
            {"Clémenceau"},
        ),
        (
            "\"Elle touche plus que les autres\", selon Marianne. Elle est la ministre la mieux "
            "rémunérée.",
            set(),
            {"Marianne"},
        ),
    ],
)
def test_any_verb_of_an_inverted_quotation_makes_a_speaker(
    text: str, wanted: set[str], unwanted: set[str]
) -> None:
    """Issue 16, session 15: ``persons.SAID_INVERTED``."""
    found_as_wanted(text, wanted, unwanted)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # round 9, orangesum-16205
        (
            "Michel Drucker ne le regrette absolument pas. \"Elle avait déjà eu plusieurs vies. "
            "Stéfanie, sa fille, avait 5 ans. J'ai tout de suite su qu'elle avait failli y "
            "passer\", raconte-t-il.",
            "Stéfanie",
        ),
        # unlabelled orangesum-30457, -30785, -29378
        (
            "Après avoir effectué des missions dangereuses, en France et dans le monde, Arnaud "
            "Beltrame s'était fait muter à Carcassonne pour se rapprocher de Marielle, sa femme "
            "depuis août 2016. Ils allaient se marier religieusement.",
            "Marielle",
        ),
        (
            "\"J'ai la rage aujourd'hui\", a déploré mercredi 14 février Yolande, la mère de la "
            "jeune femme sur RMC.",
            "Yolande",
        ),
        (
            "Le quotidien rapporte notamment le cas d'Alizée, une jeune femme d'une vingtaine "
            "d'années qui a porté plainte.",
            "Alizée",
        ),
    ],
)
def test_a_relative_in_apposition_makes_a_single_name_a_person(text: str, wanted: str) -> None:
    """Issue 16, session 15: ``persons.KIN_AFTER``."""
    assert wanted in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # round 12, orangesum-31948
        (
            "\"En France il y a un principe de droit international, on applique le droit de la "
            "mère\", la chanteuse allemande Nico, et donc le droit allemand dans lequel la "
            "prescription n'existe pas pour ce type de délit.",
            "Nico",
        ),
        # round 9, orangesum-32639 and orangesum-1308
        (
            "Sur le terrain sportif par contre, ce sont trois footballeur du Paris Saint-Germain, "
            "dont la star brésilienne Neymar qui ont été testés positifs au coronavirus.",
            "Neymar",
        ),
        (
            "L'oeuvre attribuée au célèbre street-artiste britannique Banksy avait été peinte "
            "courant 2018 sur une porte de secours métallique de la salle de spectacle.",
            "Banksy",
        ),
    ],
)
def test_a_role_and_a_people_s_adjective_before_a_single_name(text: str, wanted: str) -> None:
    """Issue 16, session 15 (round 12): ``persons.ROLE_ADJECTIVE``."""
    assert wanted in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted", "unwanted"),
    [
        # round 12, orangesum-17229
        (
            "\"Il ne s'agit pas de s'affoler mais de vivre sereinement les choses avec un sens de "
            "la responsabilité\", écrit l'archevêque de Rennes, Mgr Pierre d'Ornellas, dans une "
            "lettre à l'ensemble des prêtres du diocèse.",
            "Pierre d'Ornellas",
            "Pierre",
        ),
        # unlabelled orangesum-22984
        (
            "Des centaines de personnes se sont réunies samedi à Nantes même si le préfet de "
            "Loire-Atlantique, Claude d'Harcourt, a interdit toute manifestation dans le "
            "centre-ville.",
            "Claude d'Harcourt",
            "Claude",
        ),
        # unlabelled orangesum-32565: a place, alone or with the word after it, is no surname
        (
            "La Tribune de Genève a affirmé début mars que Juan Carlos avait reçu, en 2008, 100 "
            "millions de dollars du roi Abdallah d'Arabie saoudite, sur un compte en Suisse.",
            "Abdallah",
            "Abdallah d'Arabie",
        ),
    ],
)
def test_a_given_name_and_an_elided_surname_are_a_full_name(
    text: str, wanted: str, unwanted: str
) -> None:
    """Issue 16, session 15 (round 12): ``persons.GIVEN_ELIDED``."""
    found = persons(text)
    assert wanted in found
    assert unwanted not in found


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # round 12, orangesum-27593
        (
            "L'historienne et sinologue Marie-Claire Bergère, 85 ans et le politologue "
            "franco-allemand Alfred Grosser, 93 ans sont les deux grands officiers de cette "
            "promotion.",
            "Marie-Claire Bergère",
        ),
        # unlabelled orangesum-2683 and orangesum-30513
        (
            "Marie-France Garaud, figure politique française des années 70, dont la "
            "\"disparition\" avait été signalée, a été retrouvée saine et sauve.",
            "Marie-France Garaud",
        ),
        (
            "\"Ce qui nous a surpris c'est qu'Adrien n'avait absolument rien à faire sur Chambéry "
            "à l'époque\", indique aujourd'hui Marie-France Fiorello.",
            "Marie-France Fiorello",
        ),
    ],
)
def test_a_magazine_named_like_a_given_name_does_not_drop_the_full_name(
    text: str, wanted: str
) -> None:
    """Issue 16, session 15 (round 12): ``persons.GIVEN_NAME_LINES`` (``Marie Claire`` and
    ``Marie France`` are lines of ``not_persons.txt``)."""
    assert wanted in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # tuning rounds 1-3, wikinews-fr-45766: the model calls the name MISC
        (
            "Pendant qu'à Pékin se tient le 18e congrès du Parti communiste chinois pour "
            "désigner Xi Jinping comme successeur de Hu Jintao, des centaines de Tibétains "
            "manifestent contre l'occupation chinoise.",
            "Xi Jinping",
        ),
        # unlabelled orangesum-2349, -625 and -32133
        (
            "Le défilé ne sera néanmoins pas tout aussi grandiose que voulu: aucun dirigeant "
            "occidental ne sera là, notamment Emmanuel Macron, et le Chinois Xi Jinping non "
            "plus.",
            "Xi Jinping",
        ),
        (
            "Avec Donald Trump, \"tous les chemins mènent à Poutine\", a de son côté lancé la "
            "présidente démocrate de la Chambre des représentants Nancy Pelosi.",
            "Nancy Pelosi",
        ),
        (
            "Si M. Kennedy, soutenu lui par la chef des démocrates au Congrès Nancy Pelosi, lui "
            "a reproché de passer trop de temps à Washington, ses attaques n'ont pas semblé "
            "atteindre sérieusement M. Markey.",
            "Nancy Pelosi",
        ),
    ],
)
def test_a_full_name_the_archive_knows_as_a_person_is_one_whatever_the_label(
    text: str, wanted: str
) -> None:
    """Issue 16, session 16: ``persons.KNOWN_FULL_NAMES`` (the archive's table has seen
    ``Xi Jinping`` and ``Nancy Pelosi`` as persons 10 times or more)."""
    assert wanted in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # round 13, orangesum-19011 (and round 7's "Caroline de Monaco")
        (
            "Dans une interview à People magazine, Albert de Monaco s'est confié sur ses "
            "jumeaux Jacques et Gabriella.",
            "Albert de Monaco",
        ),
        # unlabelled orangesum-18497, -19391 and -32563: dropped whole before
        (
            "Mais elle ne se contente pas de parler, car quand Charlène de Monaco s'engage, elle "
            "ne fait pas les choses à moitié.",
            "Charlène de Monaco",
        ),
        (
            "Selon les informations rapportées par le quotidien Le Parisien, la sœur du roi "
            "Philippe de Belgique roulait sur l'autoroute A 86 en direction du centre-ville de "
            "Saint-Denis lorsque les faits se sont produits.",
            "Philippe de Belgique",
        ),
        (
            "Le prince est retourné au Château de Cayx, propriété de la famille royale dans le "
            "Lot, terre d'origine de son père d'origine française, Henrik de Danemark, où il "
            "avait fait un malaise le 24 juillet, indique-t-on de même source.",
            "Henrik de Danemark",
        ),
    ],
)
def test_a_given_name_of_a_country_is_a_royal_s_name(text: str, wanted: str) -> None:
    """Issue 16, session 16 (round 13): ``persons.ROYAL_OF_COUNTRY``."""
    assert wanted in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # round 11 (Wikinews), wikinews-fr-44963
        (
            "En effet, un nouveau régime a vu le jour en mars 2011, quelques mois après la "
            "libération de la prix Nobel de la paix Aung San Suu Kyi.",
            "Aung San Suu Kyi",
        ),
        # unlabelled orangesum-10746 (also -12223, -1429)
        (
            "Barack et Michelle Obama participeront à une troisième cérémonie, le 6 juin, titrée "
            "\"Dear Class of 2020\", avec notamment la chanteuse Lady Gaga et la militante "
            "pakistanaise et prix Nobel de la paix Malala Yousafzai.",
            "Malala Yousafzai",
        ),
    ],
)
def test_a_prize_at_the_head_of_a_span_is_a_role_before_the_name(text: str, wanted: str) -> None:
    """Issue 16, session 16 (round 11): ``persons.PRIZE_HEAD``."""
    assert wanted in persons(text)


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        # round 13, orangesum-7051 (a couple by surname only: no entry in the gold)
        (
            "Sauf qu'en juin 2017, elle est mise en examen tout comme les époux Jacob pour "
            "\"enlèvement suivi de mort\" avant que les charges ne soient abandonnées un an plus "
            "tard.",
            "Jacob",
        ),
        # unlabelled orangesum-33404 and orangesum-19466
        (
            "Riss, 53 ans, avait été grièvement blessé à l'épaule lors de l'attaque commise le 7 "
            "janvier 2015 par les frères Kouachi dans les locaux de Charlie Hebdo.",
            "Kouachi",
        ),
        (
            "Il alternera avec d'autres personnages du jeu comme celui interprété par Moundir ou "
            "encore ceux joués par les frères Bogdanov.",
            "Bogdanov",
        ),
    ],
)
def test_a_surname_only_written_for_a_group_of_kin_is_no_person(text: str, unwanted: str) -> None:
    """Issue 16, session 16 (round 13): ``persons.GROUP_SURNAMES``."""
    assert unwanted not in persons(text)


def test_a_surname_also_written_alone_stays_a_person() -> None:
    """``GROUP_SURNAMES`` leaves a name the text also writes outside the group (two sentences
    of unlabelled orangesum-19591, the first a place for the model)."""
    text = (
        "J'ai compris plus tard qu'il s'agissait d'Abdeslam qui regardait mon ami. Mais comme "
        "le précise M6 Info, aucun des frères Abdeslam n'était présent au Bataclan le soir des "
        "attaques."
    )
    assert "Abdeslam" in persons(text)


def test_a_royal_s_name_still_names_the_country() -> None:
    """``ROYAL_OF_COUNTRY`` keeps ``de Monaco`` a country (round 13, orangesum-19011: the
    gold has MC from it)."""
    text = (
        "Dans une interview à People magazine, Albert de Monaco s'est confié sur ses jumeaux "
        "Jacques et Gabriella."
    )
    assert "MC" in countries(text)


@pytest.mark.parametrize(
    ("text", "unwanted"),
    [
        # unlabelled orangesum-162, -12598 and -33215
        (
            "Geoffrey Rush, qui a notamment remporté un Oscar en 1997 pour \"Shine\" et un Emmy "
            "en 2017 pour \"Genius\", avait dans la foulée obtenu de la justice que le Daily "
            "Telegraph lui verse la somme de 2,9 millions de dollars australiens, qui prenait en "
            "compte le manque à gagner que cette affaire avait causé à la star.",
            "Oscar",
        ),
        (
            "Du côté des réjouissances, on remarque le discours de remerciements de Leonardo "
            "Dicaprio, auréolé de son Oscar du meilleur acteur, ou les explosions de joie lors "
            "des Jeux olympiques.",
            "Oscar",
        ),
        (
            "\"J'ai le Covid-19, je l'ai attrapé sur la Costa Smeralda\" en Sardaigne, témoigne "
            "ainsi, dans le quotidien La Stampa, Luca, un Romain d'une vingtaine d'années.",
            "Romain",
        ),
    ],
)
def test_a_given_name_written_as_a_prize_is_no_person(text: str, unwanted: str) -> None:
    """Issue 16, session 16: ``persons.PRIZE_WORDS``."""
    assert unwanted not in persons(text)


def test_a_child_named_like_a_prize_stays_a_person() -> None:
    """``PRIZE_WORDS`` leaves ``Oscar`` with no prize's article (unlabelled orangesum-14807)."""
    text = "Léos, le nom du domaine, est un clin d'œil aux deux fils du chanteur Léo et Oscar."
    assert "Oscar" in persons(text)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        # round 11 (Wikinews), wikinews-fr-44860: "Voisine" is a French word, "Roch" in no
        # shipped lexicon
        (
            "Parmi les temps forts annoncés de cette édition se trouve la grande parade des "
            "nations celtes le dimanche 5 août avec 3 000 artistes dans les rues de Lorient, "
            "mais aussi une grande nuit de l'Acadie le lundi 6 avec Roch Voisine ou encore "
            "Fayo, la célébration des 60 ans du Bagad de Lann-Bihoué le mardi 7.",
            "Roch Voisine",
        ),
        # unlabelled orangesum-23485 (articles-part-04, outside the counted parts)
        (
            "Selon le récit fait par l'avocat de la famille au Parisien, Naoufal Ibn Ziaten, 30 "
            "ans, frère d'Imad Ibn Ziaten, première victime du jihadiste Mohammed Merah en mars "
            "2012, revenait du travail jeudi soir avec son colocataire.",
            "Imad Ibn Ziaten",
        ),
    ],
)
def test_a_given_name_the_archive_knows_is_evidence_of_a_person(
    text: str, wanted: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16, session 17: ``persons.ARCHIVE_GIVEN`` (``archive_types.archive_given_names``:
    ``Roch`` heads ``Roch Voisine``, ``Roch-Olivier Maistre`` and ``Roch Marc Christian
    Kaboré`` in the counted archive, ``Imad`` five people's names)."""
    from search.ingest.entities import persons as persons_module

    assert wanted in persons(text)
    monkeypatch.setattr(persons_module, "ARCHIVE_GIVEN", False)
    assert wanted not in persons(text)
