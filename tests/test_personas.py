"""The test world itself: each persona has the access its name promises."""

from counseling.permissions import access_of


def test_each_persona_has_the_access_its_name_says(world):
    assert access_of(world.counselor).counsels(world.school.pk)
    assert not access_of(world.principal).counsels(world.school.pk)
    assert not access_of(world.stranger).counsels(world.school.pk)
    assert world.cls.class_teacher == world.teacher
    assert world.member_student.school_class == world.cls


def test_every_persona_reaches_its_home(world, client):
    for user in world.people().values():
        client.force_login(user)
        assert client.get("/").status_code == 200
