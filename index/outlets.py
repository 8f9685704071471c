"""A small table of common English-language news outlets: display names, aliases and web hosts.

Used to recognise a masthead line in pasted text ("ABC News") and to name the outlet of a saved page
from its URL. Matching is exact (after case and whitespace folding): a line either names an outlet
or it does not, so section words ("World", "National") never become outlets by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Outlet:
    """A news outlet: the name shown in facets, other spellings, and its web hosts."""

    name: str
    aliases: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    by_name: bool = True  # False for names that are ordinary words on a line of their own ("Time")


OUTLETS: tuple[Outlet, ...] = (
    # Australia and New Zealand
    Outlet("ABC News", ("ABC", "ABC News (Australia)", "ABC Australia"), ("abc.net.au",)),
    Outlet("The Sydney Morning Herald", ("Sydney Morning Herald", "SMH"), ("smh.com.au",)),
    Outlet("The Age", (), ("theage.com.au",)),
    Outlet("The Australian", (), ("theaustralian.com.au",)),
    Outlet("news.com.au", ("news.com.au",), ("news.com.au",)),
    Outlet("The Guardian Australia", ("Guardian Australia",), ()),
    Outlet("SBS News", ("SBS",), ("sbs.com.au",)),
    Outlet("9News", ("Nine News", "9 News"), ("9news.com.au",)),
    Outlet("7NEWS", ("7 News", "Seven News"), ("7news.com.au",)),
    Outlet("The Canberra Times", ("Canberra Times",), ("canberratimes.com.au",)),
    Outlet("Brisbane Times", (), ("brisbanetimes.com.au",)),
    Outlet("The Courier-Mail", ("Courier-Mail", "Courier Mail"), ("couriermail.com.au",)),
    Outlet("Herald Sun", (), ("heraldsun.com.au",)),
    Outlet("The West Australian", ("West Australian",), ("thewest.com.au",)),
    Outlet("The New Zealand Herald", ("New Zealand Herald", "NZ Herald"), ("nzherald.co.nz",)),
    Outlet("Stuff", ("Stuff.co.nz",), ("stuff.co.nz",), by_name=False),
    Outlet("RNZ", ("Radio New Zealand",), ("rnz.co.nz",)),
    # United Kingdom and Ireland
    Outlet("BBC News", ("BBC", "BBC News Online"), ("bbc.co.uk", "bbc.com")),
    Outlet("The Guardian", ("Guardian",), ("theguardian.com", "guardian.co.uk")),
    Outlet("The Independent", ("Independent",), ("independent.co.uk",)),
    Outlet("The Times", (), ("thetimes.co.uk",)),
    Outlet("The Telegraph", ("Daily Telegraph", "The Daily Telegraph"), ("telegraph.co.uk",)),
    Outlet("Financial Times", ("FT", "The Financial Times", "FT.com"), ("ft.com",)),
    Outlet("The Economist", ("Economist",), ("economist.com",)),
    Outlet("Daily Mail", ("Mail Online", "MailOnline", "The Daily Mail"), ("dailymail.co.uk",)),
    Outlet("The Sun", (), ("thesun.co.uk",)),
    Outlet("Daily Mirror", ("The Mirror", "Mirror"), ("mirror.co.uk",)),
    Outlet("Evening Standard", ("London Evening Standard",), ("standard.co.uk",)),
    Outlet("Sky News", (), ("news.sky.com", "sky.com")),
    Outlet("ITV News", (), ("itv.com",)),
    Outlet("Channel 4 News", (), ("channel4.com",)),
    Outlet("The Scotsman", ("Scotsman",), ("scotsman.com",)),
    Outlet("The Irish Times", ("Irish Times",), ("irishtimes.com",)),
    Outlet("Irish Independent", (), ("independent.ie",)),
    Outlet("RTÉ News", ("RTE News", "RTÉ", "RTE"), ("rte.ie",)),
    # United States
    Outlet("The New York Times", ("New York Times", "NYT", "NY Times"), ("nytimes.com",)),
    Outlet("The Washington Post", ("Washington Post",), ("washingtonpost.com",)),
    Outlet("The Wall Street Journal", ("Wall Street Journal", "WSJ"), ("wsj.com",)),
    Outlet("USA Today", ("USA TODAY", "USATODAY.com"), ("usatoday.com",)),
    Outlet("Los Angeles Times", ("LA Times", "L.A. Times"), ("latimes.com",)),
    Outlet("Chicago Tribune", (), ("chicagotribune.com",)),
    Outlet("The Boston Globe", ("Boston Globe",), ("bostonglobe.com",)),
    Outlet("New York Post", ("NY Post",), ("nypost.com",)),
    Outlet("CNN", ("CNN International",), ("cnn.com",)),
    Outlet("Fox News", (), ("foxnews.com",)),
    Outlet("NBC News", (), ("nbcnews.com",)),
    Outlet("CBS News", (), ("cbsnews.com",)),
    Outlet("ABC News (US)", (), ("abcnews.go.com",)),
    Outlet("NPR", ("National Public Radio",), ("npr.org",)),
    Outlet("PBS NewsHour", (), ("pbs.org",)),
    Outlet("CNBC", (), ("cnbc.com",)),
    Outlet("Politico", ("POLITICO",), ("politico.com", "politico.eu")),
    Outlet("Axios", (), ("axios.com",)),
    Outlet("The Hill", (), ("thehill.com",)),
    Outlet(
        "HuffPost",
        ("Huffington Post", "The Huffington Post"),
        ("huffpost.com", "huffingtonpost.com"),
    ),
    Outlet("Business Insider", (), ("businessinsider.com", "insider.com")),
    Outlet("Newsweek", (), ("newsweek.com",)),
    Outlet("Time", ("Time Magazine",), ("time.com",), by_name=False),
    Outlet("The Atlantic", (), ("theatlantic.com",)),
    Outlet("The New Yorker", (), ("newyorker.com",)),
    Outlet("Forbes", ("Forbes.com",), ("forbes.com",)),
    Outlet("Fortune", (), ("fortune.com",), by_name=False),
    Outlet("Vox", (), ("vox.com",)),
    Outlet("Yahoo News", (), ("news.yahoo.com",)),
    Outlet("The Verge", (), ("theverge.com",)),
    Outlet("Wired", ("WIRED",), ("wired.com",)),
    Outlet("Ars Technica", (), ("arstechnica.com",)),
    Outlet("TechCrunch", (), ("techcrunch.com",)),
    Outlet("CNET", (), ("cnet.com",)),
    Outlet("The Daily Beast", ("Daily Beast",), ("thedailybeast.com",)),
    Outlet("ProPublica", (), ("propublica.org",)),
    # Canada
    Outlet("CBC News", ("CBC",), ("cbc.ca",)),
    Outlet("CTV News", (), ("ctvnews.ca",)),
    Outlet("Global News", (), ("globalnews.ca",)),
    Outlet("The Globe and Mail", ("Globe and Mail",), ("theglobeandmail.com",)),
    Outlet("Toronto Star", ("The Toronto Star",), ("thestar.com",)),
    Outlet("National Post", (), ("nationalpost.com",)),
    # Europe, Middle East, Africa
    Outlet("Al Jazeera", ("Al Jazeera English",), ("aljazeera.com",)),
    Outlet("France 24", ("FRANCE 24",), ("france24.com",)),
    Outlet("Deutsche Welle", ("DW", "DW News"), ("dw.com",)),
    Outlet("Euronews", (), ("euronews.com",)),
    Outlet("The Jerusalem Post", ("Jerusalem Post",), ("jpost.com",)),
    Outlet("Haaretz", (), ("haaretz.com",)),
    Outlet("The Times of Israel", ("Times of Israel",), ("timesofisrael.com",)),
    Outlet("Arab News", (), ("arabnews.com",)),
    Outlet("The National", (), ("thenationalnews.com",)),
    Outlet("News24", (), ("news24.com",)),
    # Asia
    Outlet("South China Morning Post", ("SCMP",), ("scmp.com",)),
    Outlet("The Straits Times", ("Straits Times",), ("straitstimes.com",)),
    Outlet("The Japan Times", ("Japan Times",), ("japantimes.co.jp",)),
    Outlet("NHK World", ("NHK",), ("nhk.or.jp",)),
    Outlet("The Korea Herald", ("Korea Herald",), ("koreaherald.com",)),
    Outlet("The Korea Times", ("Korea Times",), ("koreatimes.co.kr",)),
    Outlet("Korea JoongAng Daily", ("JoongAng Daily",), ("koreajoongangdaily.joins.com",)),
    Outlet("NK News", (), ("nknews.org",)),
    Outlet("The Times of India", ("Times of India",), ("timesofindia.indiatimes.com",)),
    Outlet("Hindustan Times", (), ("hindustantimes.com",)),
    Outlet("The Hindu", (), ("thehindu.com",)),
    Outlet("NDTV", (), ("ndtv.com",)),
    Outlet("Dawn", (), ("dawn.com",), by_name=False),
    # Agencies' own sites: a page saved from reuters.com is published by Reuters. (A "Reuters"
    # line in pasted text is a wire credit, not an outlet; extract handles that.)
    Outlet("Reuters", (), ("reuters.com",)),
    Outlet("AP News", (), ("apnews.com",)),
    Outlet("Bloomberg", (), ("bloomberg.com",)),
    Outlet("AFP", (), ("afp.com",)),
)


def _fold(text: str) -> str:
    return " ".join(text.replace("’", "'").casefold().split()).strip(" .:|-—–")


def _build() -> tuple[dict[str, str], dict[str, str]]:
    by_alias: dict[str, str] = {}
    by_host: dict[str, str] = {}
    for outlet in OUTLETS:
        for alias in (outlet.name, *outlet.aliases) if outlet.by_name else outlet.aliases:
            by_alias.setdefault(_fold(alias), outlet.name)
        for host in outlet.hosts:
            by_host.setdefault(host.lower(), outlet.name)
    return by_alias, by_host


_BY_ALIAS, _BY_HOST = _build()
_HOST_PREFIX_RE = re.compile(r"^(?:www\d*|m|mobile|amp|edition|beta)\.")


def outlet_for_name(text: str) -> str | None:
    """The outlet a whole line or metadata value names ("SMH" → "The Sydney Morning Herald"), or None."""
    if len(text) > 60:
        return None
    return _BY_ALIAS.get(_fold(text))


def outlet_for_url(url: str) -> str | None:
    """The outlet of a URL by its host, matching parent domains ("edition.cnn.com" → "CNN")."""
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return None
    host = _HOST_PREFIX_RE.sub("", host)
    while host:
        if host in _BY_HOST:
            return _BY_HOST[host]
        _, dot, host = host.partition(".")
        if not dot or "." not in host:
            return None
    return None
