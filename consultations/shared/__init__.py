"""What several of the room's features need and none of them owns.

`access`: the counselor's school (booking, hours, the room's settings and crisis settings all
answer 403 the same way); `urls`: the rule that their pages need a signed-in person; `notices`: the texts of notifications (booking and online threads),
which say a time and nothing else. Anything used by one feature only lives in that feature.
"""
