"""The language Tencent Cloud writes its messages in: `X-TC-Language`, "zh-CN 返回中文，en-US
返回英文" (https://cloud.tencent.com/document/api/1643/89104). Only the messages change; error
codes never do, so nothing may branch on a message.

Calls made for a person send that person's language (`cloud_language` of Django's active
language); the sync engine's own calls send `settings.CLOUD_LANGUAGE`.
"""

from __future__ import annotations

CHINESE = "zh-CN"
ENGLISH = "en-US"
CLOUD_LANGUAGES = (CHINESE, ENGLISH)  # the only values the doc lists


def cloud_language(django_language_code: str) -> str:
    """The cloud's language for a Django language code: Simplified Chinese ("zh-hans", and
    the older "zh-cn") is zh-CN, anything else en-US, the cloud's only other language."""
    code = django_language_code.strip().lower().replace("_", "-")
    return CHINESE if code.startswith(("zh-hans", "zh-cn")) else ENGLISH
