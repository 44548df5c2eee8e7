"""Every page the suite checks for accessibility, valid HTML, reflow and readability.

Each later journey adds its pages here (signed-in pages add a sign-in step in their own test).
Tests that visit these pages load the shipped AI tool register first (fixtures
``shipped_register`` and, in the browser, ``live_register``). Paths carry no query string:
the tests add ``?lang=``.
"""

PUBLIC_PAGES = {
    "start": "/",
    "accessibility statement": "/accessibility-statement",
    "privacy notice": "/privacy-notice",
    "cookies": "/cookies",
    "page not found": "/no-such-page",
    "AI tools": "/ai-tools",
    "AI tool with opt-in and opt-out purposes": "/ai-tools/skin-analytics-derm",
    "AI tool with no choice": "/ai-tools/covid-19-data-store-models",
    "AI tool not used in England or Wales": "/ai-tools/ethos-adaptive-radiotherapy-beatson",
    "how choices work": "/help/how-choices-work",
    "if you do not recognise something": "/help/if-you-do-not-recognise-something",
    "sign in": "/sign-in",
    "sign in: your details": "/sign-in/your-details",
    "sign in: no contact details": "/sign-in/no-contact-details",
    "sign in: start again": "/sign-in/start-again",
    "signed out": "/signed-out",
    "staff sign in": "/staff/sign-in",
}
LANGUAGES = ("en", "cy", "ur")

# Signed-in patient pages: (path template, endpoint, level of assurance the guard requires).
# Placeholders: {tool} a tool slug, {purpose} a purpose it serves, {reference} one of the
# patient's choice references. The access convention test checks each guard's level.
PATIENT_PAGES = {
    "your choices": ("/your-choices", "choices.overview", "P5"),
    "a choice about one tool": ("/your-choices/ai-tools/{tool}/{purpose}", "choices.tool_question", "P5"),
    "a choice for all tools": ("/your-choices/all-ai-tools/{purpose}", "choices.all_tools_question", "P5"),
    "object to a tool": ("/your-choices/ai-tools/{tool}/{purpose}/object", "choices.objection", "P5"),
    "choice saved": ("/your-choices/recorded/{reference}", "choices.recorded", "P5"),
    "receipt": ("/your-choices/receipt/{reference}", "choices.receipt", "P5"),
    "send the receipt": ("/your-choices/receipt/{reference}/send", "choices.send_receipt", "P5"),
    "history": ("/your-choices/history", "choices.history", "P5"),
    "AI used in your care": ("/ai-used-in-your-care", "care_record.ai_used", "P9"),
    "who checked your choices": ("/who-checked-your-choices", "care_record.who_checked", "P9"),
    "your information": ("/your-information", "your_information.page", "P9"),
    "download your information": ("/your-information/download", "your_information.download", "P9"),
    "your requests for review": ("/disputes", "disputes.index", "P5"),
    "ask for a review": ("/disputes/new", "disputes.new", "P5"),
    "a question about the review": ("/disputes/new/{name}", "disputes.step", "P5"),
    "check your answers": ("/disputes/new/check", "disputes.check", "P5"),
    "request sent": ("/disputes/{reference}/confirmation", "disputes.confirmation", "P5"),
    "a request for review": ("/disputes/{reference}", "disputes.status", "P5"),
    "withdraw a request": ("/disputes/{reference}/withdraw", "disputes.withdraw", "P5"),
    "people who can act for you": ("/people-who-can-act-for-you", "representatives.people", "P9"),
    "confirm a nomination": ("/people-who-can-act-for-you/{authority_id}/confirm", "representatives.confirm", "P9"),
    "decline a nomination": ("/people-who-can-act-for-you/{authority_id}/decline", "representatives.decline", "P9"),
    "end a nomination": ("/people-who-can-act-for-you/{authority_id}/end", "representatives.end", "P9"),
}
