"""Demo buyer companies, their users, and the seller's staff.

Every region gets each segment at least once, then segments by the market shares.
Two featured companies (a Paris boutique, a New York department store) have fixed
names and owners so their sign-ins can be documented.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from microbag.accounts.models import User
from microbag.buyers.models import Company
from microbag.demo.bulk import BulkWriter
from microbag.demo.catalog import HISTORY_DAYS, weighted_pick
from microbag.demo.market import CURRENCIES, SELLER_DOMAIN, PriceListRule
from microbag.demo.regions import (
    CONTRACTS,
    FEATURED_COMPANIES,
    REGIONS,
    SEGMENTS,
    Country,
    FeaturedCompany,
)
from microbag.demo.vocab import PEOPLE, REGION_WORDS, SEGMENT_NAME_PATTERNS, STAFF_PEOPLE
from microbag.money import minor_digits


@dataclass(slots=True)
class UserRec:
    id: int
    email: str
    role: str
    company_id: int | None


@dataclass(slots=True)
class CompanyRec:
    id: int
    name: str
    segment: str
    region: str
    country: str
    currency: str
    payment_terms_days: int | None
    credit_limit_minor: int
    joined: date
    dormant_from: date | None  # stopped ordering (churned) from this day
    featured: bool = False
    users: list[UserRec] = field(default_factory=list)

    @property
    def ordering_users(self) -> list[UserRec]:
        return [u for u in self.users if u.role in ("owner", "buyer")]


@dataclass
class People:
    companies: list[CompanyRec] = field(default_factory=list)
    staff: list[UserRec] = field(default_factory=list)
    contracts: list[tuple[PriceListRule, int]] = field(default_factory=list)

    def staff_with(self, role: str) -> list[UserRec]:
        return [u for u in self.staff if u.role == role]


def ascii_slug(text: str, sep: str = "-") -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", sep, plain.lower()).strip(sep)


def _at(day: date, hour: int = 9) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


class PeopleBuilder:
    def __init__(
        self, rng: random.Random, writer: BulkWriter, today: date, password_hash: str
    ) -> None:
        self.rng = rng
        self.writer = writer
        self.today = today
        self.window_start = today - timedelta(days=HISTORY_DAYS)
        self.password_hash = password_hash
        self.names: set[str] = set()
        self.emails: set[str] = set()
        self.people = People()

    def _user(
        self, email: str, name: str, role: str, company_id: int | None, joined: date
    ) -> UserRec:
        base, domain = email.split("@", 1)
        candidate, n = email, 1
        while candidate in self.emails:
            n += 1
            candidate = f"{base}{n}@{domain}"
        self.emails.add(candidate)
        user = UserRec(self.writer.next_id(User), candidate, role, company_id)
        self.writer.add(
            User,
            {
                "id": user.id,
                "email": user.email,
                "name": name,
                "password_hash": self.password_hash,
                "company_id": company_id,
                "role": role,
                "is_active": True,
                "created_at": _at(joined, 10),
            },
        )
        return user

    def add_staff(self) -> None:
        start = self.window_start - timedelta(days=400)
        fixed = (
            ("admin", "Sam Whitfield", "admin"),
            ("sales", "Lucía Ferrer", "sales"),
            ("merch", "Noah Kim", "merchandiser"),
        )
        for local, name, role in fixed:
            self.people.staff.append(
                self._user(f"{local}@{SELLER_DOMAIN}", name, role, None, start)
            )
        for first, last, role in STAFF_PEOPLE:
            email = f"{ascii_slug(first, '')}.{ascii_slug(last, '')}@{SELLER_DOMAIN}"
            self.people.staff.append(self._user(email, f"{first} {last}", role, None, start))

    def _company_name(self, region: str, segment: str, city: str) -> str:
        for _ in range(50):
            pattern = self.rng.choice(SEGMENT_NAME_PATTERNS[segment])
            name = f"{pattern.format(w=self.rng.choice(REGION_WORDS[region]))} ({city})"
            if name not in self.names:
                return name
        return f"{name} {len(self.names)}"

    def _credit(self, segment: str, currency: str, terms: int | None) -> int:
        if terms is None:
            return 0
        low, high = SEGMENTS[segment].credit_usd
        usd = round(self.rng.uniform(low, high) / 5_000) * 5_000
        major = usd * CURRENCIES[currency].per_usd
        step = 1_000 if CURRENCIES[currency].per_usd < 100 else 1_000_000
        return int(round(major / step) * step) * int(10 ** minor_digits(currency))

    def add_company(
        self, region: str, segment: str, featured: FeaturedCompany | None = None
    ) -> CompanyRec:
        rng, profile = self.rng, REGIONS[region]
        if featured is not None:
            country = next(c for c in profile.countries if c.code == featured.country)
            city = featured.city
            name = f"{featured.name} ({city})"
        else:
            country = rng.choices(profile.countries, weights=[c.weight for c in profile.countries])[
                0
            ]
            city = rng.choice(country.cities)
            name = self._company_name(region, segment, city)
        self.names.add(name)
        seg = SEGMENTS[segment]
        terms = 30 if featured and segment == "boutique" else rng.choice(seg.payment_terms)
        if featured is not None or rng.random() < 0.65:
            joined = self.window_start - timedelta(days=rng.randint(30, 900))
        else:
            joined = self.window_start + timedelta(days=rng.randint(30, HISTORY_DAYS - 60))
        dormant = None
        if featured is None and rng.random() < 0.06:
            dormant = max(joined, self.window_start) + timedelta(days=rng.randint(200, 700))
        company = CompanyRec(
            id=self.writer.next_id(Company),
            name=name,
            segment=segment,
            region=region,
            country=country.code,
            currency=country.currency,
            payment_terms_days=terms,
            credit_limit_minor=self._credit(segment, country.currency, terms),
            joined=joined,
            dormant_from=dormant if dormant and dormant < self.today else None,
            featured=featured is not None,
        )
        self.people.companies.append(company)
        self._add_company_users(company, country, featured)
        return company

    def _add_company_users(
        self, company: CompanyRec, country: Country, featured: FeaturedCompany | None
    ) -> None:
        rng = self.rng
        firsts, lasts = PEOPLE[company.region]
        domain = f"{ascii_slug(company.name.split(' (')[0])}.example"
        staff: list[tuple[str, str, str]] = []
        owner = featured.owner if featured else (rng.choice(firsts), rng.choice(lasts))
        staff.append((owner[0], owner[1], "owner"))
        low, high = SEGMENTS[company.segment].buyers
        for _ in range(rng.randint(low, high)):
            staff.append((rng.choice(firsts), rng.choice(lasts), "buyer"))
        if company.segment in ("department_store", "distributor") or rng.random() < 0.4:
            staff.append((rng.choice(firsts), rng.choice(lasts), "viewer"))
        for first, last, role in staff:
            local = f"{ascii_slug(first, '')}.{ascii_slug(last, '')}"
            company.users.append(
                self._user(f"{local}@{domain}", f"{first} {last}", role, company.id, company.joined)
            )
        self.writer.add(
            Company,
            {
                "id": company.id,
                "name": company.name,
                "segment": company.segment,
                "country": company.country,
                "region": company.region,
                "currency": company.currency,
                "payment_terms_days": company.payment_terms_days,
                "credit_limit_minor": company.credit_limit_minor,
                "locale": country.locale,
                "is_active": True,
                "created_at": _at(company.joined),
            },
        )

    def add_companies(self) -> None:
        for region, profile in REGIONS.items():
            featured = [f for f in FEATURED_COMPANIES if f.region == region]
            segments = [s for s in SEGMENTS if s not in {f.segment for f in featured}]
            self.rng.shuffle(segments)
            for f in featured:
                self.add_company(region, f.segment, f)
            shares = {s: p.share * profile.segments.get(s, 1.0) for s, p in SEGMENTS.items()}
            for i in range(profile.companies - len(featured)):
                segment = segments[i] if i < len(segments) else weighted_pick(self.rng, shares)
                self.add_company(region, segment)

    def add_contracts(self) -> None:
        """Negotiated price lists for the featured accounts and a few big ones."""
        for f in FEATURED_COMPANIES:
            if f.contract_discount is None:
                continue
            company = next(c for c in self.people.companies if c.name.startswith(f.name + " ("))
            self._contract(company, f.contract_discount, None)
        for region, segment, discount, moq_cases in CONTRACTS:
            for company in self.people.companies:
                if company.region == region and company.segment == segment and not company.featured:
                    self._contract(company, discount, moq_cases)
                    break

    def _contract(self, company: CompanyRec, discount: float, moq_cases: int | None) -> None:
        rule = PriceListRule(
            f"{company.name} contract {company.currency}",
            company.currency,
            company=company.name,
            discount=discount,
            moq_cases=moq_cases,
        )
        self.people.contracts.append((rule, company.id))


def build_people(rng: random.Random, writer: BulkWriter, today: date, password_hash: str) -> People:
    builder = PeopleBuilder(rng, writer, today, password_hash)
    builder.add_staff()
    builder.add_companies()
    builder.add_contracts()
    return builder.people
