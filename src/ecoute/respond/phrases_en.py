"""The drafts' English phrases: several ways to say each part of a reply.

Rules for anyone adding one:
- warm and plain, contractions welcome; no "unfortunately", "as stated", "please note", "per our
  policy", "we regret that you feel";
- a phrase that may follow "Hi Claire," starts in lower case (the composer capitalises it when it
  opens the sentence); none starts with a field, except a person's name;
- the fields in braces (``{problem}``, ``{order}``…) are filled only when known: a phrase whose
  field is missing is not offered.
"""

from __future__ import annotations

PHRASES: dict[str, tuple[str, ...]] = {
    "greet": ("Hi {name},", "Hi {name}!", "Hello {name},"),
    "greet_anon": ("Hi there,", "Hello!"),
    # Complaint
    "apology": (
        "we're so sorry about {problem}.",
        "sorry about {problem}, that's not okay.",
        "apologies for {problem}: you deserved better from us.",
        "we're really sorry for {problem}, and thank you for telling us.",
    ),
    "apology_generic": (
        "we're really sorry to read this.",
        "sorry, this isn't the experience we want you to have.",
        "thanks for writing to us, and sorry for the trouble.",
    ),
    "wait_detail": (
        "Waiting {duration} isn't acceptable, and we understand why you're frustrated.",
        "{duration_cap} without a fix is far too long.",
    ),
    "serious": ("We're taking this very seriously.", "This should never have happened."),
    "next_generic": (
        "We're looking into what happened today.",
        "We want to understand what went wrong so we can put it right.",
    ),
    "known_fix": (
        "In the meantime, this should help: {answer}",
        "One thing that can help right now: {answer}",
    ),
    "private": (
        "could you send us {ask} {channel}? We'll follow it through personally.",
        "drop us {ask} {channel} and we'll take it from there.",
        "the quickest way: send us {ask} {channel} and we'll pick it up straight away.",
    ),
    "private_nochannel": (
        "could you get in touch with us directly and mention this review? We'll take it from there.",
        "please contact us directly and mention this review, and we'll follow it up closely.",
    ),
    "callback": (
        "We'd rather talk this through properly: send us your number {channel} and we'll call you {when}.",
        "It's best if we speak directly: leave us your number {channel} and we'll ring you {when}.",
    ),
    "callback_nochannel": (
        "We'd rather talk this through properly: get in touch directly, mention this review, and we'll "
        "call you {when}.",
    ),
    "sign": ("– {agent}",),
    # Question
    "answer_more": (
        "If anything's unclear, just say so here and we'll fill in the gaps.",
        "Happy to go into more detail if that helps.",
        "Any other questions, we're right here.",
    ),
    "answer_more_place": ("And if you drop by our {place} shop, the team will be glad to see you.",),
    "question_ack": (
        "good question, and it deserves a precise answer.",
        "thanks for asking!",
        "thanks for the question!",
    ),
    "promise": (
        "We're checking with {team} and will reply here {when}.",
        "Rather than guess, we're asking {team}: you'll have an answer here {when}.",
        "We're finding out from {team} and will get back to you {when}.",
    ),
    "promise_agent": (
        "I'm checking with {team} and will reply here {when}.",
        "I'm asking {team} so I can give you an exact answer, {when}.",
    ),
    "order_status": ("For your order {order}, we're checking where it is and will reply {when}.",),
    # Praise
    "thanks": ("thank you, {name}!", "thanks so much, {name}!", "what a lovely message, thank you {name}!"),
    "thanks_anon": ("thank you so much!", "thanks for this!", "what a lovely message, thank you!"),
    "thanks_mixed": (
        "thanks for the honest feedback, {name}.",
        "thank you, {name}, for taking the time to tell us.",
    ),
    "thanks_mixed_anon": ("thanks for the honest feedback.", "thank you for taking the time to tell us."),
    "welcome": ("you're welcome, {name}!", "happy to help, {name}!", "anytime, {name}!"),
    "welcome_anon": ("you're welcome!", "happy to help!"),
    "welcome_more": ("Have a great day!", "Just shout if you need anything else.", "Enjoy your day!"),
    "echo_self": ("That's really kind of you.", "That made my day, thank you."),
    "echo_staff": (
        "We'll pass this on to {staff}, it'll make their day.",
        "{staff} is going to love reading this.",
    ),
    "echo_quote": ("“{quote}”: that's the best kind of feedback.", "“{quote}” really means a lot to us."),
    "echo_delivery": ("So glad the delivery went smoothly.", "Glad it all arrived safe and sound."),
    "echo_repair": ("Glad to hear the repair went well.", "Good to know it's all sorted."),
    "echo_product": (
        "So glad you're enjoying your {product}.",
        "Great to hear your {product} is serving you well.",
    ),
    "echo_refund": ("Glad it's all been put right.",),
    "echo_shop": (
        "So glad you enjoyed your visit to our {place} shop.",
        "The {place} team will be thrilled to read this.",
    ),
    "echo_generic": ("That's lovely to read.", "Messages like this make the whole team's day."),
    "mixed": (
        "And you're right about {problem}: noted, and we'll do better.",
        "And we're sorry about {problem}: your feedback has gone straight to the team.",
    ),
    "mixed_generic": (
        "And your point is well taken: that's how we get better.",
        "Your point is going straight to the team concerned.",
    ),
    "invite_place": ("Hope to see you again at our {place} shop!", "See you again soon at our {place} shop!"),
    "invite_product": ("Enjoy your {product}!", "May your {product} serve you well for years!"),
    "invite_share": (
        "If you have a photo, share it with us, we love seeing them!",
        "Tag us in your next posts, we love seeing them pop up!",
    ),
    "invite_review": (
        "Thanks for taking the time to leave a review, it really helps others decide.",
        "Reviews like yours help other people choose, thank you for writing it.",
    ),
    "invite_generic": ("See you soon!", "Hope to see you again soon!"),
    # Unhappy, no request
    "neg_ack": ("thanks for being straight with us.", "we hear your frustration, and it's fair."),
    "neg_ack_problem": (
        "we understand your frustration about {problem}.",
        "thanks for telling us about {problem}, your frustration is fair.",
    ),
    "open_door": (
        "If you'd like to talk it through, message us {channel} and we'll read it carefully.",
        "Our door's open: send us a message {channel} and we'll look into it with you.",
    ),
    "open_door_nochannel": (
        "If you'd like to talk it through, get in touch directly and we'll read it carefully.",
    ),
    # Other
    "other_thanks": ("thanks for your message!", "thanks for sharing!", "thanks for the mention!"),
    "other_offer": (
        "If you ever have a question, we're right here.",
        "And if there's anything you need, just ask.",
    ),
}

WHEN = {"today": "before 6 pm today", "tomorrow": "by noon tomorrow", "monday": "by noon on Monday"}
CHANNEL_DM = "by DM"
CHANNEL_EMAIL = "by e-mail at {email}"
DEFAULT_TEAM = "the right person"
SHOP_TEAM = "the team at our {place} shop"
