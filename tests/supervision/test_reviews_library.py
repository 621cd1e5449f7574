"""A trainee's own video lesson stays out of the unit's video library."""

from django.urls import reverse

from courses.selectors.videos import videos_manageable_by
from tests.factories.reviews import make_submission


def test_a_trainees_video_lesson_is_not_in_the_coordinators_library(org, login):
    # given a trainee's video lesson, stored under their home unit
    submission = make_submission(org.trainee)
    video = submission.video
    # then the coordinator over that unit neither lists it
    assert video not in videos_manageable_by(user=org.coordinator)
    # nor reaches it through the library's own URLs
    client = login(org.coordinator)
    file_url = reverse(
        "courses:video_file", kwargs={"key": video.key, "quality": "main"}
    )
    assert client.get(file_url).status_code == 404
    admin_index = client.get(reverse("videos:index"))
    assert video.title not in admin_index.content.decode()


def test_the_trainee_still_finds_their_own_upload(org):
    submission = make_submission(org.trainee)
    assert submission.video in videos_manageable_by(user=org.trainee)
