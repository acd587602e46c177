"""Letters, case files, a referral and a break-the-glass entry in the demo school.

Called by `consultations.demo.load` after the room's own demo; it does nothing when the school already
has a case. The anonymous answered letter opens with the pick-up code DEMO-CODE-2026.
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from consultations.cases import services as cases
from consultations.cases.models import Case, ReferralService, Risk
from consultations.crisis.models import CrisisAction
from consultations.crisis.services import complete_step
from consultations.letters import services as letters
from consultations.letters.models import CrisisWord, Letter
from counseling.models import Student

DEMO_CODE = "DEMO-CODE-2026"


def _ago(days, hours=0):
    return timezone.now() - datetime.timedelta(days=days, hours=hours)


def _letter(school, body, *, student=None, consent=False, days=0, code=None):
    letter, _code = letters.write_letter(school, body, student=student, publish_consent=consent)
    received = _ago(days).replace(minute=0, second=0, microsecond=0)
    fields = {"received_at": received, "due_at": Letter.deadline(received)}
    if code:
        fields["pickup_hash"] = letters.code_hash(code)
    Letter.objects.filter(pk=letter.pk).update(**fields)
    letter.refresh_from_db()
    return letter


def load_cases(school):
    if Case.objects.filter(school=school).exists():
        return
    User = get_user_model()
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["counselor", "counselor2", "counselor3"])
    }
    own = Student.objects.filter(school=school, user__username="student").first()
    others = list(
        Student.objects.filter(school=school, user__isnull=True).order_by("student_number")[:4]
    )
    if len(people) < 3 or own is None or len(others) < 4:
        return
    head, second, third = people["counselor"], people["counselor2"], people["counselor3"]
    with transaction.atomic():
        CrisisWord.objects.bulk_create(
            [CrisisWord(school=school, word=w) for w in letters.DEFAULT_CRISIS_WORDS],
            ignore_conflicts=True,
        )
        hospital = ReferralService.objects.create(
            school=school,
            name="市第七人民医院（精神卫生中心）",
            kind="医院",
            phone="0571-8502 9999",
            address="西湖区天目山路305号",
        )
        ReferralService.objects.create(
            school=school, name="市青少年心理咨询中心", kind="咨询中心", phone="0571-8888 1234"
        )

        # Letters: two anonymous ones answered (one for the bulletin board), one waiting,
        # one signed by `student`, answered.
        answered = _letter(
            school,
            "老师好，我是一年级新生，住校后总是想家，晚上偷偷哭，不知道该怎么办。",
            consent=True,
            days=6,
            code=DEMO_CODE,
        )
        letters.reply(
            answered,
            head,
            "同学你好：刚离开家想家是很正常的。可以每周和家里约定固定时间通话，"
            "也可以参加社团认识新朋友。如果难受的时候多，欢迎来心理咨询室聊聊。",
        )
        shy = _letter(school, "我不敢在班上发言，一说话就脸红，同学会不会笑我？", days=4)
        letters.reply(shy, second, "谢谢你的来信。紧张是很多人都有的，我们可以一起练习……")
        _letter(school, "和室友闹矛盾了，现在宿舍里没人理我，我很难受。", days=1)
        signed = _letter(
            school, "老师，我最近学习跟不上，想找您聊聊，可以吗？", student=own, days=3
        )
        letters.reply(signed, head, "当然可以。你可以在“预约咨询”里选一个时间，我们面谈。")

        # Cases at different levels.
        red = cases.open_case(
            head,
            others[0],
            origin=Case.Origin.ALERT,
            concern=Case.Concern.MOOD,
            risk=Risk.RED,
            rating=2,
            concerns="心理委员报告该生多次表达消极念头，情绪低落，夜间失眠。",
            counselor=second,
        )
        for action in CrisisAction.objects.filter(case=red).select_related("step")[:3]:
            complete_step(action, second)
        cases.add_note(red, second, "当天面谈，学生情绪稳定下来，同意家长来校。")
        referral = cases.refer(red, second, hospital, "需专业评估睡眠与情绪问题。")
        cases.follow_up(referral, second, "家长已陪同就诊，医生建议复诊。")
        cases.add_parent_contact(red, second, "母亲", "电话沟通，母亲下午到校陪伴。")

        orange = cases.open_case(
            head,
            others[1],
            origin=Case.Origin.TEACHER,
            concern=Case.Concern.RELATIONS,
            risk=Risk.ORANGE,
            rating=4,
            concerns="班主任反映与同学冲突后不愿上课。",
        )
        note = cases.add_note(orange, head, "第一次面谈：谈到与室友的矛盾。")
        note = cases.sign_note(note, head)
        cases.amend_note(note, head, "补记：学生希望调换宿舍。", "漏记")
        cases.save_plan(
            orange,
            head,
            goals="恢复正常上课；改善宿舍关系。",
            measures="每周面谈一次；组织一次宿舍沟通。",
            responsibilities="辅导老师面谈；班主任关注出勤；家长每周沟通。",
            review_on=timezone.localdate() + datetime.timedelta(days=10),
        )
        cases.add_task(orange, head, "回电家长", timezone.localdate() + datetime.timedelta(days=1))

        yellow = cases.open_case(
            third,
            others[2],
            origin=Case.Origin.BOOKING,
            concern=Case.Concern.STUDY,
            risk=Risk.YELLOW,
            rating=5,
            concerns="学习压力大，担心考证不通过。",
        )
        cases.add_note(yellow, third, "面谈草稿：讨论学习计划。")

        closed = cases.open_case(
            head,
            others[3],
            origin=Case.Origin.SELF,
            concern=Case.Concern.ADAPTATION,
            risk=Risk.YELLOW,
            rating=3,
            concerns="新生适应困难。",
        )
        cases.sign_note(cases.add_note(closed, head, "三次面谈后适应良好。"), head)
        cases.close_case(closed, head, outcome="适应良好，结案。", rating=8, risk=Risk.NONE)

        Case.objects.filter(pk=red.pk).update(opened_at=_ago(5))
        Case.objects.filter(pk=orange.pk).update(opened_at=_ago(12))
        Case.objects.filter(pk=yellow.pk).update(opened_at=_ago(3))
        Case.objects.filter(pk=closed.pk).update(opened_at=_ago(40), closed_at=_ago(8))

        # counselor3 was on duty when the red case's student called: it broke the glass.
        cases.break_glass(red, third, "值班时该生来电，需要了解情况以便安抚。")
