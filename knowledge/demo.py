"""The demo gym's FAQ (seed_demo): hours, pricing, classes, policies and facilities."""

from tenants.models import Branch

from .models import ImportStatus, KnowledgeEntry, KnowledgeSource, SourceType

FAQ = [
    # (category, priority, question, answer)
    ("general", 8, "What are your opening hours?",
     "Monday to Friday 6am to 10pm, Saturday 8am to 8pm and Sunday 8am to 6pm. Holiday hours are posted in the app."),
    ("general", 5, "Where are you located?",
     "Downtown at 100 Main Street, New York, and in Brooklyn at 55 Court Street."),
    ("general", 4, "Are you open on public holidays?",
     "Yes, on reduced hours (8am to 4pm), except Christmas Day and New Year's Day when we are closed."),
    ("general", 3, "Can I try the gym before joining?",
     "Yes. Book a free guided tour and a one-day trial pass at the front desk or over the phone."),
    ("pricing", 9, "How much does a membership cost?",
     ("Basic is $39 per month, Premium (with unlimited classes) is $69 per month, and the annual plan is $599 "
      "paid upfront. There is a one-time $25 joining fee.")),
    ("pricing", 7, "How much is a day pass?", "A day pass costs $15 and includes group classes that day."),
    ("pricing", 5, "Do you offer student or senior discounts?",
     "Students with a valid ID and members over 65 get 20% off any monthly plan."),
    ("pricing", 4, "Is there a family or couples plan?",
     "Yes: the second adult on the same plan gets 25% off, and children 12 to 17 join for $19 per month."),
    ("pricing", 4, "Do you have corporate memberships?",
     "Companies with five or more employees get a corporate rate; ask for our corporate sales team."),
    ("membership", 6, "How do I join?",
     "Sign up online, in the app or at the front desk. Bring a photo ID; your first visit includes an induction."),
    ("membership", 6, "Can I freeze my membership?",
     "You can freeze for up to three months per year for $10 per month. Ask at reception or in the app."),
    ("membership", 6, "How do I cancel my membership?",
     "Give 30 days' notice in writing at reception or by email. Annual plans can be cancelled after 12 months."),
    ("membership", 3, "Can I use every branch with my membership?",
     "Premium and annual members can use every branch; Basic members use their home branch."),
    ("classes", 7, "Which classes do you offer?",
     "Spin, HIIT, yoga, Pilates, boxing, Zumba and a beginners' strength class. The timetable is in the app."),
    ("classes", 6, "Do I need to book classes in advance?",
     "Yes, classes are booked in the app up to 7 days ahead. Spots are held until 5 minutes before the start."),
    ("classes", 4, "Are classes included in my membership?",
     "Unlimited classes are included in Premium and annual plans; Basic members pay $8 per class."),
    ("classes", 3, "Do you have classes for beginners?",
     "Yes. Beginners' strength, gentle yoga and intro spin are designed for people new to training."),
    ("trainers", 6, "Do you offer personal training?",
     "Yes. Sessions with a certified personal trainer cost $60, or $500 for a pack of ten."),
    ("trainers", 3, "Is there a free session with a trainer when I join?",
     "Every new member gets a free 45-minute fitness assessment and programme with a trainer."),
    ("facilities", 7, "Is there a swimming pool?",
     "The Downtown branch has a 25 metre heated pool. Brooklyn has no pool but has a sauna and steam room."),
    ("facilities", 5, "Is parking available?",
     "Downtown members park free for two hours in the garage below the gym; validate your ticket at reception."),
    ("facilities", 4, "Do you have lockers and showers?",
     "Yes, changing rooms with showers and free day-use lockers; bring your own padlock."),
    ("facilities", 3, "Do you provide towels?", "Towels are included for Premium members and cost $2 otherwise."),
    ("facilities", 3, "Is there wifi?", "Free wifi throughout the gym; the password is at the front desk."),
    ("facilities", 2, "Do you have a childcare area?",
     "The Downtown kids' club looks after children aged 1 to 8, weekdays 9am to 12pm, for $5 per visit."),
    ("policy", 5, "Can I bring a guest?",
     "Premium members may bring one guest a month for free; guests sign a waiver and show photo ID."),
    ("policy", 4, "What is the minimum age to join?",
     "Members must be 16 or older; 12 to 15 year olds can train with a parent or in teen sessions."),
    ("policy", 3, "What is your cancellation policy for classes?",
     "Cancel up to 2 hours before a class; two late cancellations or no-shows in a month pause booking for a week."),
    ("policy", 2, "Is there a dress code?", "Clean athletic shoes and clothing; no outdoor shoes on the studio floors."),
    ("other", 2, "Do you sell supplements or drinks?",
     "The front desk bar sells water, protein shakes, coffee and snacks."),
]

BRANCH_OVERRIDES = {
    "Brooklyn": [
        ("general", 8, "What are your opening hours?",
         "Brooklyn is open Monday to Friday 5am to 11pm and weekends 7am to 9pm."),
        ("facilities", 5, "Is parking available?", ("Brooklyn has no parking; there is metered street parking on "
                                                    "Court Street and a public garage on Atlantic Avenue.")),
    ],
}


def seed(*, gym, rng, stdout):
    source = KnowledgeSource.objects.for_gym(gym).create(
        gym=gym, name="Front desk FAQ", type=SourceType.MANUAL, category="general", status=ImportStatus.COMPLETED,
        description="The answers front desk staff give most often.")
    rows = [KnowledgeEntry(gym=gym, source=source, category=c, priority=p, question=q, answer=a)
            for c, p, q, a in FAQ]
    branches = {b.name: b for b in Branch.objects.for_gym(gym)}
    for name, overrides in BRANCH_OVERRIDES.items():
        if name in branches:
            rows += [KnowledgeEntry(gym=gym, source=source, branch=branches[name], category=c, priority=p,
                                    question=q, answer=a) for c, p, q, a in overrides]
    for row in rows:  # save() fills question_key
        row.save()
    stdout.write(f"Knowledge base: {len(rows)} entries.")
