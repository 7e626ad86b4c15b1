"""The curated perspectives and themes every archive starts with.

Moderators edit them in the admin afterwards; this only creates the ones that
are missing, so it never overwrites a moderator's wording.
"""

from django.db import migrations

PERSPECTIVES = [
    (
        "immigrants",
        "Immigrants",
        "Inmigrantes",
        "People who came to Los Angeles from another country, with or without papers, "
        "and their families.",
        "Personas que llegaron a Los Ángeles desde otro país, con o sin papeles, y sus familias.",
    ),
    (
        "law-enforcement",
        "Law enforcement",
        "Fuerzas del orden",
        "Police officers, sheriff's deputies and others who enforce the law in the city.",
        "Policías, agentes del sheriff y otras personas que hacen cumplir la ley en la ciudad.",
    ),
    (
        "city-officials",
        "City officials",
        "Funcionarios municipales",
        "People who make and carry out city policy: elected officials and city staff.",
        "Quienes hacen y aplican la política de la ciudad: cargos electos y personal municipal.",
    ),
    (
        "advocates",
        "Advocates",
        "Defensores",
        "Organisers, lawyers, clergy and volunteers who support immigrant communities.",
        "Organizadores, abogados, religiosos y voluntarios que apoyan a las comunidades "
        "inmigrantes.",
    ),
    (
        "critics",
        "Critics",
        "Críticos",
        "People who oppose or question sanctuary policies, and say why.",
        "Personas que se oponen a las políticas santuario o las cuestionan, y explican por qué.",
    ),
    (
        "residents",
        "Residents",
        "Residentes",
        "Angelenos who live alongside the policy: neighbours, workers, parents, students.",
        "Angelinos que conviven con la política: vecinos, trabajadores, padres, estudiantes.",
    ),
]

THEMES = [
    (
        "community-trust",
        "Community trust",
        "Confianza comunitaria",
        "Whether people trust the police and the city enough to report a crime or ask for help.",
        "Si la gente confía lo bastante en la policía y la ciudad para denunciar un delito o "
        "pedir ayuda.",
    ),
    (
        "public-safety",
        "Public safety",
        "Seguridad pública",
        "Crime, policing and what keeps neighbourhoods safe.",
        "La delincuencia, la labor policial y lo que mantiene seguros los barrios.",
    ),
    (
        "economy-and-work",
        "Economy and work",
        "Economía y trabajo",
        "Jobs, wages, businesses and the city's economy.",
        "Empleos, salarios, negocios y la economía de la ciudad.",
    ),
    (
        "city-services",
        "Access to city services",
        "Acceso a servicios municipales",
        "Clinics, schools, libraries and offices, and who feels able to use them.",
        "Clínicas, escuelas, bibliotecas y oficinas, y quién se siente capaz de usarlas.",
    ),
    (
        "language-access",
        "Language access",
        "Acceso lingüístico",
        "Being understood, and understanding, in the language you speak.",
        "Entender y ser entendido en el idioma que uno habla.",
    ),
    (
        "legal-aid",
        "Legal aid",
        "Asistencia legal",
        "Lawyers, legal clinics and the right to representation.",
        "Abogados, clínicas legales y el derecho a representación.",
    ),
    (
        "family-and-fear-of-deportation",
        "Family and fear of deportation",
        "Familia y miedo a la deportación",
        "Families living with the possibility of separation.",
        "Familias que viven con la posibilidad de ser separadas.",
    ),
    (
        "federal-pressure-and-funding",
        "Federal pressure and funding",
        "Presión y fondos federales",
        "Federal demands on the city, detainer requests and threats to funding.",
        "Exigencias federales a la ciudad, solicitudes de retención y amenazas a los fondos.",
    ),
    (
        "courts-and-lawsuits",
        "Courts and lawsuits",
        "Tribunales y demandas",
        "The legal battles over sanctuary policy.",
        "Las batallas legales por la política santuario.",
    ),
    (
        "elections-and-politics",
        "Elections and politics",
        "Elecciones y política",
        "Campaigns, votes and the politics of the policy.",
        "Campañas, votaciones y la política en torno a la medida.",
    ),
    (
        "belonging",
        "Belonging and social cohesion",
        "Pertenencia y cohesión social",
        "Who feels at home in the city, and what holds neighbours together or apart.",
        "Quién se siente en casa en la ciudad, y qué une o separa a los vecinos.",
    ),
    (
        "history-of-welcome",
        "History of welcome",
        "Historia de acogida",
        "Los Angeles's long history of arrival, refuge and resistance.",
        "La larga historia de llegadas, refugio y resistencia de Los Ángeles.",
    ),
]


def seed(apps, schema_editor):
    Perspective = apps.get_model("stories", "Perspective")
    Theme = apps.get_model("stories", "Theme")
    for order, (slug, name, name_es, description, description_es) in enumerate(PERSPECTIVES):
        Perspective.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_es": name_es,
                "description": description,
                "description_es": description_es,
                "display_order": order * 10,
            },
        )
    for slug, name, name_es, description, description_es in THEMES:
        Theme.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_es": name_es,
                "description": description,
                "description_es": description_es,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("stories", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
