"""The consultation room in the demo school: hours, a few weeks of bookings, online threads.

Called by `consultations.demo.load`; it does nothing when the school already has consultation hours.
Times are relative to today, so the demo always has a past and a coming week.
"""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from consultations.booking.models import Booking, Origin, TalkRequest
from consultations.hours.models import CounselorHours, HoursException
from consultations.online.models import Message, Thread
from consultations.room.models import ReasonCategory, Room, RoomSettings
from counseling.models import Student

CATEGORIES = ["学习压力", "人际关系", "情绪困扰", "家庭问题", "适应新环境", "生涯规划", "其他"]
HOTLINES = "学校心理咨询室：0571-8888 6666\n全国心理援助热线：400-161-9995\n希望24热线：400-161-9995\n紧急情况：110 / 120"


def _at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def load_room(school):
    if CounselorHours.objects.filter(school=school).exists():
        return
    User = get_user_model()
    people = {
        u.username: u
        for u in User.objects.filter(
            username__in=["counselor", "counselor2", "counselor3", "student"]
        )
    }
    if len(people) < 4:
        return
    settings = RoomSettings.for_school(school)
    settings.hotlines = HOTLINES
    settings.answer_hours = "周一至周五 8:30–17:00（节假日除外）。网络咨询一般在一个工作日内回复。"
    settings.emergency_text = (
        "如果你或身边的同学有危险，请立即拨打 110 / 120，或马上告诉班主任、任何一位老师。"
    )
    settings.slot_minutes = 60
    settings.save()
    categories = {
        name: ReasonCategory.objects.create(school=school, name=name, order=n)
        for n, name in enumerate(CATEGORIES)
    }
    room1 = Room.objects.create(school=school, name="心理咨询室一", location="行政楼三楼301")
    room2 = Room.objects.create(school=school, name="心理咨询室二", location="行政楼三楼302")
    counselor, counselor2, counselor3 = (
        people["counselor"],
        people["counselor2"],
        people["counselor3"],
    )
    blocks = [
        (counselor, 0, 14, 17, room1, True, True, False),
        (counselor, 2, 14, 17, room1, True, True, True),
        (counselor2, 1, 9, 12, room2, True, False, True),
        (counselor2, 3, 14, 17, room2, True, True, False),
        (counselor3, 4, 9, 12, room1, True, True, True),
    ]
    for who, weekday, start, end, room, in_person, phone, online in blocks:
        CounselorHours.objects.create(
            school=school,
            counselor=who,
            weekday=weekday,
            starts_at=datetime.time(start),
            ends_at=datetime.time(end),
            room=room,
            in_person=in_person,
            phone=phone,
            online=online,
        )
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    HoursException.objects.create(
        school=school,
        counselor=counselor3,
        kind=HoursException.Kind.LEAVE,
        starts_on=monday + datetime.timedelta(days=18),
        ends_on=monday + datetime.timedelta(days=18),
        note="外出培训",
    )

    student = Student.objects.get(user=people["student"])
    others = list(
        Student.objects.filter(school=school, is_active=True)
        .exclude(pk=student.pk)
        .order_by("student_number")[:12:2]
    )
    # A committee member has an account too: its own conversation with a counselor.
    member = Student.objects.filter(user__username="member02").first() or student
    S = Booking.Status

    def booking(
        who,
        pupil,
        day,
        hour,
        status,
        channel="in_person",
        category="学习压力",
        reason="",
        origin=Origin.STUDENT,
    ):
        starts = _at(day, hour)
        closed = status in (S.CANCELLED, S.DECLINED)
        done = status in (S.ATTENDED, S.NO_SHOW)
        return Booking.objects.create(
            school=school,
            student=pupil,
            counselor=who,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            channel=channel,
            room=room1 if channel == "in_person" else None,
            category=categories[category],
            reason=reason,
            status=status,
            origin=origin,
            booked_by=pupil.user or who,
            confirmed_at=starts - datetime.timedelta(days=1) if status != S.PENDING else None,
            cancelled_at=starts - datetime.timedelta(days=1) if closed else None,
            cancelled_by=(pupil.user or who) if closed else None,
            cancel_note="临时有课" if closed else "",
            closed_at=starts + datetime.timedelta(hours=1) if done else None,
        )

    # Three past weeks and the coming one, around the head counselor's Monday and Wednesday.
    for weeks_ago in (3, 2, 1):
        week = monday - datetime.timedelta(weeks=weeks_ago)
        booking(counselor, others[0], week, 14, S.ATTENDED, category="人际关系")
        booking(
            counselor,
            others[1],
            week + datetime.timedelta(days=2),
            15,
            S.ATTENDED,
            channel="phone",
            category="情绪困扰",
        )
        booking(
            counselor2,
            others[2],
            week + datetime.timedelta(days=1),
            9,
            S.ATTENDED,
            channel="online",
            category="适应新环境",
        )
    booking(
        counselor,
        others[3],
        monday - datetime.timedelta(weeks=2),
        16,
        S.NO_SHOW,
        category="家庭问题",
    )
    booking(
        counselor2,
        others[4],
        monday - datetime.timedelta(weeks=1) + datetime.timedelta(days=3),
        14,
        S.CANCELLED,
        category="生涯规划",
    )
    booking(
        counselor,
        student,
        monday - datetime.timedelta(weeks=3) + datetime.timedelta(days=2),
        14,
        S.ATTENDED,
        category="适应新环境",
        reason="刚来学校，离家远，晚上总是睡不着，想找人聊聊。",
    )
    booking(
        counselor,
        others[5],
        monday - datetime.timedelta(weeks=1),
        15,
        S.ATTENDED,
        category="学习压力",
        origin=Origin.WALK_IN,
    )
    next_week = monday + datetime.timedelta(weeks=1)
    booking(
        counselor,
        student,
        next_week + datetime.timedelta(days=2),
        15,
        S.PENDING,
        category="适应新环境",
        reason="上次聊完好多了，想再聊一次宿舍的事。",
    )
    booking(counselor, others[0], next_week, 14, S.CONFIRMED, category="人际关系")
    booking(
        counselor2,
        others[2],
        next_week + datetime.timedelta(days=1),
        10,
        S.CONFIRMED,
        channel="online",
        category="适应新环境",
    )
    booking(
        counselor3,
        others[1],
        next_week + datetime.timedelta(days=4),
        9,
        S.PENDING,
        channel="phone",
        category="情绪困扰",
        origin=Origin.REFERRAL,
    )
    # Tomorrow morning a walk-in the head counselor took: its home panel shows it.
    booking(
        counselor,
        others[3],
        today + datetime.timedelta(days=1),
        10,
        S.CONFIRMED,
        category="情绪困扰",
        origin=Origin.WALK_IN,
    )
    TalkRequest.objects.create(
        school=school,
        student=others[4],
        channel="in_person",
        category=categories["情绪困扰"],
        reason="最近心情很低落，不知道要不要找老师。",
        when_suits="周二下午",
    )

    # Online threads with replies, hours apart, as the room answers them.
    now = timezone.now()
    conversations = [
        (
            student,
            counselor,
            "宿舍的事",
            [
                (False, 50, "老师好，我和室友作息不一样，晚上很吵，我睡不好，该怎么跟他们说？"),
                (
                    True,
                    46,
                    "你好，谢谢你愿意说出来。可以先找一个大家都在、心情不错的时候，说说你自己的感受，而不是指责。我们也可以约个时间当面聊聊。",
                ),
                (False, 30, "好的，我试试看。下周三下午可以吗？"),
                (True, 27, "可以，我在预约里给你留着。你也可以直接在网上预约。"),
            ],
        ),
        (
            member,
            counselor2,
            "考试焦虑",
            [
                (False, 20, "快期末了，一想到考试就心慌，晚上睡不着。"),
                (True, 18, "考前紧张很常见。我们可以一起做一些放松练习，周四上午方便视频吗？"),
                (False, 2, "方便的，谢谢老师。"),
            ],
        ),
    ]
    for pupil, who, subject, lines in conversations:
        if pupil.user_id is None:
            continue
        thread = Thread.objects.create(school=school, student=pupil, counselor=who, subject=subject)
        last = None
        for from_counselor, hours_ago, body in lines:
            msg = Message.objects.create(
                thread=thread,
                author=who if from_counselor else pupil.user,
                from_counselor=from_counselor,
                body=body,
            )
            created = now - datetime.timedelta(hours=hours_ago)
            Message.objects.filter(pk=msg.pk).update(created_at=created)
            last = created
        Thread.objects.filter(pk=thread.pk).update(
            last_message_at=last,
            student_read_at=last - datetime.timedelta(hours=3),
            counselor_read_at=last - datetime.timedelta(hours=1) if lines[-1][0] else None,
        )
