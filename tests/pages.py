"""What every page has and a fragment must not: the page chrome."""

PAGE_CHROME = '<header class="topbar">'
