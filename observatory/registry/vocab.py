"""Controlled vocabularies of the registry: the codes stored in YAML and their French labels."""

from __future__ import annotations

# Establishment categories (code stored in YAML -> label shown to readers).
CATEGORIES: dict[str, str] = {
    "chu-chr": "CHU/CHR",
    "ch": "Centre hospitalier",
    "clinique-privee": "Clinique privée",
    "clcc": "Centre de lutte contre le cancer",
    "espic": "ESPIC",
    "groupe": "Groupe / groupement",
    "autre": "Autre",
}

# Kinds of benchmark accounts: shown for comparison, never ranked.
BENCHMARK_KINDS: dict[str, str] = {
    "autorite-sanitaire": "Autorité sanitaire",
    "ministere": "Ministère",
    "agence": "Agence publique",
    "federation": "Fédération ou réseau",
    "marque": "Marque grand public",
    "autre": "Autre",
}

# The 18 regions of France (13 in mainland France, 5 overseas), official spelling.
REGIONS: tuple[str, ...] = (
    "Auvergne-Rhône-Alpes",
    "Bourgogne-Franche-Comté",
    "Bretagne",
    "Centre-Val de Loire",
    "Corse",
    "Grand Est",
    "Hauts-de-France",
    "Île-de-France",
    "Normandie",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Pays de la Loire",
    "Provence-Alpes-Côte d'Azur",
    "Guadeloupe",
    "Martinique",
    "Guyane",
    "La Réunion",
    "Mayotte",
)

PLATFORMS: dict[str, str] = {
    "twitter": "X (Twitter)",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "linkedin": "LinkedIn",
    "youtube": "YouTube",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "peertube": "PeerTube",
    "tiktok": "TikTok",
    "threads": "Threads",
    "viadeo": "Viadeo",
}

ACCOUNT_STATUSES: dict[str, str] = {
    "active": "actif",
    "dormant": "en sommeil",
    "closed": "fermé",
    "left": "quitté",
}

# What each status means, for the maintainer who must pick one (validation messages).
ACCOUNT_STATUS_MEANINGS: dict[str, str] = {
    "active": "le compte publie",
    "dormant": "le compte existe mais ne publie plus depuis longtemps",
    "closed": "le compte a été supprimé ou n'est plus accessible ; indiquer until",
    "left": "l'établissement a annoncé quitter ce réseau, le compte peut rester en ligne ; indiquer until",
}

FIGURE_METRICS: dict[str, str] = {
    "followers": "abonnés",
    "following": "abonnements",
    "posts": "publications",
    "posts_year_to_date": "publications depuis le 1er janvier",
    "views": "vues",
    "video_views": "vues d'une vidéo",
    "rank_followers": "rang (abonnés)",
    "rank_engagement": "rang (engagement)",
    "rank_performance_index": "rang (indice de performance)",
    "rank_followers_change": "places gagnées (abonnés)",
    "followers_following_ratio": "ratio abonnés/abonnements",
    "followers_gained": "abonnés gagnés",
    "followers_all_networks": "abonnés, tous réseaux",
    "engagement_percent": "engagement (%)",
    "performance_index_percent": "indice de performance (%)",
}

VALUE_QUALIFIERS: dict[str, str] = {
    "exact": "",
    "more_than": "plus de",
    "about": "environ",
    "less_than": "moins de",
}

FIGURE_PLATFORMS: dict[str, str] = {**PLATFORMS, "other": "plusieurs réseaux"}

# Themes of case studies (code written in a study's front matter -> French label).
THEMES: dict[str, str] = {
    "informer-conseiller": "Informer et conseiller les patients",
    "raconter-etablissement": "Raconter l'établissement et son actualité",
    "lien-communaute": "Entretenir le lien avec la communauté",
    "recrutement": "Recrutement",
    "prevention-sensibilisation": "Prévention et sensibilisation",
    "crise-rumeurs": "Communication de crise et rumeurs",
    "e-reputation": "E-réputation",
    "organisation-moyens": "Organisation et moyens de l'équipe",
    "mesure-audience": "Mesurer l'audience et l'engagement",
    "choix-des-reseaux": "Choisir, ouvrir ou quitter un réseau",
}

# Sectors with a page of their own: establishment categories, in the plural, "autre" aside.
SECTORS: dict[str, str] = {
    "chu-chr": "CHU et CHR",
    "ch": "Centres hospitaliers",
    "clinique-privee": "Cliniques privées",
    "clcc": "Centres de lutte contre le cancer (CLCC)",
    "espic": "Établissements de santé privés d'intérêt collectif (ESPIC)",
    "groupe": "Groupes et groupements",
}

# Public or private status of an establishment (FINESS: statut juridique and participation in the
# public hospital service, docs/finess.md).
OWNERSHIPS: dict[str, str] = {
    "public": "public",
    "espic": "privé d'intérêt collectif (ESPIC)",
    "prive-non-lucratif": "privé non lucratif",
    "prive-commercial": "privé commercial",
}

# Départements (official code, INSEE COG) of each region; the overseas collectivities (975, 977,
# 978, 986, 987, 988) belong to none of the 18 regions.
_REGION_DEPARTMENTS: dict[str, str] = {
    "Auvergne-Rhône-Alpes": "01 03 07 15 26 38 42 43 63 69 73 74",
    "Bourgogne-Franche-Comté": "21 25 39 58 70 71 89 90",
    "Bretagne": "22 29 35 56",
    "Centre-Val de Loire": "18 28 36 37 41 45",
    "Corse": "2A 2B",
    "Grand Est": "08 10 51 52 54 55 57 67 68 88",
    "Hauts-de-France": "02 59 60 62 80",
    "Île-de-France": "75 77 78 91 92 93 94 95",
    "Normandie": "14 27 50 61 76",
    "Nouvelle-Aquitaine": "16 17 19 23 24 33 40 47 64 79 86 87",
    "Occitanie": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "Pays de la Loire": "44 49 53 72 85",
    "Provence-Alpes-Côte d'Azur": "04 05 06 13 83 84",
    "Guadeloupe": "971",
    "Martinique": "972",
    "Guyane": "973",
    "La Réunion": "974",
    "Mayotte": "976",
}
DEPARTMENT_REGION: dict[str, str] = {code: region for region, codes in _REGION_DEPARTMENTS.items()
                                     for code in codes.split()}
DEPARTMENTS: tuple[str, ...] = (*sorted(DEPARTMENT_REGION), "975", "977", "978", "986", "987", "988")
