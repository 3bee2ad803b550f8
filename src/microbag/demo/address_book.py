"""Demo addresses: a bill-to and a ship-to for every company, valid for its country.

One row per demo city: the state or prefecture, a shopping street (offices and shops)
and an industrial street (distribution centres), each with a postal code of the
country's format (``buyers.policies.POSTAL_CODES``; AE, HK and QA have none). ``{n}`` is
the building number, drawn per company. Addresses go through ``buyers.addresses``
(checked and audited like the staff API's).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from microbag.accounts.principal import Principal
from microbag.buyers import service as buyers
from microbag.demo.buyers import CompanyRec

# country | city | state | shop street | postal code | industrial street | postal code
_CITIES = """
US|New York|NY|{n} Fifth Avenue|10022|{n} West 26th Street|10001
US|Los Angeles|CA|{n} Melrose Avenue|90046|{n} East 7th Street|90021
US|Chicago|IL|{n} North Michigan Avenue|60611|{n} West Fulton Street|60607
US|Miami|FL|{n} Collins Avenue|33139|{n} NW 25th Street|33127
US|Dallas|TX|{n} Knox Street|75205|{n} Irving Boulevard|75207
US|Seattle|WA|{n} Pine Street|98101|{n} 1st Avenue South|98134
US|Atlanta|GA|{n} Peachtree Road NE|30305|{n} Marietta Boulevard NW|30318
CA|Toronto|ON|{n} Queen Street West|M5V 2A9|{n} Dufferin Street|M6H 4B6
CA|Vancouver|BC|{n} Robson Street|V6E 1C3|{n} Industrial Avenue|V6A 2P3
CA|Montreal|QC|{n} rue Sainte-Catherine Ouest|H3B 1A7|{n} rue Chabanel Ouest|H4N 2K4
FR|Paris|Île-de-France|{n} rue du Faubourg Saint-Honoré|75008|{n} rue de Turbigo|75003
FR|Lyon|Auvergne-Rhône-Alpes|{n} rue de la République|69002|{n} avenue Tony Garnier|69007
FR|Marseille|Provence-Alpes-Côte d'Azur|{n} rue Paradis|13001|{n} boulevard de Paris|13003
FR|Bordeaux|Nouvelle-Aquitaine|{n} rue Sainte-Catherine|33000|{n} quai de Bacalan|33300
IT|Milan|Lombardia|Via Monte Napoleone {n}|20121|Via Mecenate {n}|20138
IT|Rome|Lazio|Via dei Condotti {n}|00187|Via Tiburtina {n}|00159
IT|Florence|Toscana|Via de' Tornabuoni {n}|50123|Via Pratese {n}|50145
DE|Berlin|Berlin|Kurfürstendamm {n}|10719|Lahnstraße {n}|12055
DE|Munich|Bayern|Maximilianstraße {n}|80539|Landsberger Straße {n}|80687
DE|Hamburg|Hamburg|Neuer Wall {n}|20354|Billstraße {n}|20539
DE|Düsseldorf|Nordrhein-Westfalen|Königsallee {n}|40212|Erkrather Straße {n}|40233
GB|London||{n} Marylebone High Street|W1U 4QW|{n} Wick Lane|E3 2NA
GB|Manchester||{n} King Street|M2 4WU|{n} Trafford Park Road|M17 1HG
GB|Edinburgh||{n} George Street|EH2 2LR|{n} Bankhead Drive|EH11 4EQ
ES|Madrid|Madrid|Calle de Serrano, {n}|28001|Calle de Julián Camarillo, {n}|28037
ES|Barcelona|Catalunya|Passeig de Gràcia, {n}|08007|Carrer dels Motors, {n}|08040
ES|Valencia|Comunitat Valenciana|Carrer de Colón, {n}|46004|Carrer de Sant Vicent Màrtir, {n}|46017
NL|Amsterdam|Noord-Holland|P.C. Hooftstraat {n}|1071 BX|Kabelweg {n}|1014 BA
NL|Rotterdam|Zuid-Holland|Lijnbaan {n}|3012 EL|Waalhaven Oostzijde {n}|3087 BM
SE|Stockholm||Biblioteksgatan {n}|111 46|Lövholmsvägen {n}|117 65
SE|Gothenburg||Kungsgatan {n}|411 19|Ringögatan {n}|417 07
BE|Brussels||Avenue Louise {n}|1050|Rue de la Petite Île {n}|1070
BE|Antwerp||Meir {n}|2000|Noorderlaan {n}|2030
JP|Tokyo|Tokyo|5-{n}-2 Jingumae, Shibuya-ku|150-0001|2-{n}-8 Shinkiba, Koto-ku|136-0082
JP|Osaka|Osaka|1-{n}-4 Shinsaibashisuji, Chuo-ku|542-0085|1-{n}-10 Nanko-kita, Suminoe-ku|559-0034
JP|Kyoto|Kyoto|{n} Shijo-dori Karasuma, Shimogyo-ku|600-8008|{n} Kisshoin, Minami-ku|601-8304
JP|Fukuoka|Fukuoka|2-{n}-1 Tenjin, Chuo-ku|810-0001|4-{n}-2 Hakozakifuto, Higashi-ku|812-0051
KR|Seoul|Seoul|{n} Apgujeong-ro, Gangnam-gu|06020|{n} Gonghang-daero, Gangseo-gu|07528
KR|Busan|Busan|{n} Jungang-daero, Jung-gu|48939|{n} Sinseon-ro, Nam-gu|48548
KR|Incheon|Incheon|{n} Songdogwahak-ro, Yeonsu-gu|21984|{n} Gonghang-ro, Jung-gu|22382
CN|Shanghai|Shanghai|{n} Huaihai Middle Road, Huangpu|200021|{n} Jiangchang Road, Jing'an|200436
CN|Beijing|Beijing|{n} Wangfujing Street, Dongcheng|100006|{n} Jingshun Road, Chaoyang|100102
CN|Shenzhen|Guangdong|{n} Shennan Road, Futian|518048|{n} Pingxi Road, Longgang|518117
CN|Hangzhou|Zhejiang|{n} Yan'an Road, Shangcheng|310006|{n} Hongxing Road, Xiaoshan|311215
CN|Guangzhou|Guangdong|{n} Tianhe Road, Tianhe|510620|{n} Huangpu East Road, Huangpu|510700
HK|Hong Kong|Kowloon|{n} Canton Road, Tsim Sha Tsui||{n} Kwai Cheong Road, Kwai Chung|
TW|Taipei||No. {n}, Sec. 4, Zhongxiao E. Road, Da'an|106|No. {n}, Ruiguang Road, Neihu|114
AE|Dubai||{n} Al Wasl Road, Jumeirah||Warehouse {n}, Al Quoz Industrial Area 3|
AE|Abu Dhabi||{n} Khalifa Street, Al Markaziyah||Warehouse {n}, Mussafah M-26|
SA|Riyadh|Riyadh|{n} Tahlia Street, Al Olaya|12211|Warehouse {n}, Second Industrial City|14332
SA|Jeddah|Makkah|{n} Prince Sultan Road, Al Rawdah|23434|Warehouse {n}, Al Khumrah|22535
QA|Doha||{n} Salwa Road, Al Mirqab||Warehouse {n}, Street 24, Industrial Area|
KW|Kuwait City||Building {n}, Fahad Al-Salem Street|13001|Warehouse {n}, Shuwaikh Industrial|70050
MX|Mexico City|CDMX|Av. Presidente Masaryk {n}, Polanco|11560|Av. Ceylán {n}, Vallejo|02300
MX|Guadalajara|Jalisco|Av. Chapultepec Sur {n}, Americana|44160|Calle 22 {n}, Zona Industrial|44940
MX|Monterrey|Nuevo León|Av. Constitución {n} Pte, Centro|64000|Av. Ruiz Cortines {n}|64440
BR|São Paulo|SP|Rua Oscar Freire {n}, Jardins|01426-001|Rua Guaicurus {n}, Lapa|05033-002
BR|Rio de Janeiro|RJ|Rua Visconde de Pirajá {n}, Ipanema|22410-003|Av. Brasil {n}, Penha|21040-360
CO|Bogotá|Cundinamarca|Carrera 11 # 82-{n}, Chicó|110221|Calle 13 # 68-{n}, Puente Aranda|111611
CO|Medellín|Antioquia|Carrera 43A # 7-{n}, El Poblado|050021|Carrera 50 # 12 Sur-{n}|050025
CL|Santiago|RM|Av. Alonso de Córdova {n}, Vitacura|7630000|Av. Américo Vespucio {n}|8700000
"""

PHONE_PREFIX = {
    "US": "+1",
    "CA": "+1",
    "FR": "+33",
    "IT": "+39",
    "DE": "+49",
    "GB": "+44",
    "ES": "+34",
    "NL": "+31",
    "SE": "+46",
    "BE": "+32",
    "JP": "+81",
    "KR": "+82",
    "CN": "+86",
    "HK": "+852",
    "TW": "+886",
    "AE": "+971",
    "SA": "+966",
    "QA": "+974",
    "KW": "+965",
    "MX": "+52",
    "BR": "+55",
    "CO": "+57",
    "CL": "+56",
}

# Segments with a distribution centre besides the shop floor: a second ship-to.
BIG_SEGMENTS = frozenset({"department_store", "distributor"})


@dataclass(frozen=True)
class City:
    name: str
    country: str
    state: str
    shop: tuple[str, str]  # street with {n}, postal code
    depot: tuple[str, str]


def _cities() -> dict[str, City]:
    out: dict[str, City] = {}
    for row in _CITIES.strip().splitlines():
        country, name, state, shop, shop_postal, depot, depot_postal = row.split("|")
        out[name] = City(name, country, state, (shop, shop_postal), (depot, depot_postal))
    return out


CITIES = _cities()


def city_of(company: CompanyRec) -> City:
    """The company's city (its name ends with it in brackets), else its country's first."""
    found = re.findall(r"\(([^()]+)\)", company.name)
    city = CITIES.get(found[-1]) if found else None
    if city is not None and city.country == company.country:
        return city
    return next(c for c in CITIES.values() if c.country == company.country)


def _address(
    rng: random.Random, company: CompanyRec, kind: str, label: str, name: str, depot: bool
) -> dict[str, str]:
    city = city_of(company)
    street, postal = city.depot if depot else city.shop
    phone = f"{PHONE_PREFIX[city.country]} {rng.randint(10, 99)} {rng.randint(1000, 9999)} "
    return {
        "kind": kind,
        "label": label,
        "name": name,
        "line1": street.format(n=rng.randint(2, 180)),
        "line2": "",
        "city": city.name,
        "region": city.state,
        "postal_code": postal,
        "country": city.country,
        "phone": phone + f"{rng.randint(1000, 9999)}",
    }


def add_addresses(
    session: Session, rng: random.Random, companies: list[CompanyRec], staff: Principal
) -> int:
    """A billing and a default shipping address per company (big ones: a second ship-to,
    the distribution centre is their default); the number of addresses written."""
    written = 0
    for company in companies:
        trade_name = company.name.split(" (")[0]
        big = company.segment in BIG_SEGMENTS
        rows = [
            _address(
                rng, company, "billing", "Head office", f"Accounts payable, {trade_name}", False
            )
        ]
        if big:
            rows.append(
                _address(
                    rng, company, "shipping", "Distribution centre", f"Goods in, {trade_name}", True
                )
            )
            rows.append(_address(rng, company, "shipping", "Flagship store", trade_name, False))
        else:
            rows.append(_address(rng, company, "shipping", "Shop", trade_name, False))
        for fields in rows:
            buyers.add_address(session, company.id, fields, actor=staff)
            written += 1
    return written
