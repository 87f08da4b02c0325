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
