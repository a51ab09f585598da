"""Images and videos in templates: `{% picture %}`, the `video` filter, `{% video_embed %}`.

{% load media_tags %}
{% picture story.cover "cover" sizes="(min-width: 40rem) 50vw, 100vw" alt=story.cover_alt %}
{% with video=story.video_url|video %}{% if video %}
  {% video_embed video poster=story.cover title=story.title %}
{% endif %}{% endwith %}
"""

from django import template
from django.template.loader import render_to_string

from common.renditions import renditions_for
from common.video import video_or_none

register = template.Library()


@register.simple_tag
def picture(image, spec, *, sizes="", alt="", loading="lazy", width=None, height=None, **attrs):
    """A <picture> with WebP and JPEG/PNG renditions of an ImageField's file (see
    common.renditions), or a plain <img> of the original when no rendition can be drawn.

    `spec` is cover, portrait or logo. `width`/`height` override the intrinsic size in the
    attributes (for images CSS shows at a fixed size); `class` and other keyword arguments
    become attributes of the <img>.
    """
    if not image:
        return ""
    renditions = renditions_for(image, spec)
    if renditions is not None:
        largest = renditions.largest
        width = width or largest.width
        height = height or largest.height
        sizes = sizes or f"{largest.width}px"
    return render_to_string(
        "includes/picture.html",
        {
            "image": image,
            "renditions": renditions,
            "sizes": sizes,
            "alt": alt,
            "loading": loading,
            "width": width,
            "height": height,
            "css_class": attrs.pop("class", ""),
            "fetchpriority": attrs.pop("fetchpriority", ""),
        },
    )


@register.filter
def video(url):
    """The common.video.Video a link points at, or None (not an allow-listed video)."""
    return video_or_none(url) if url else None


@register.inclusion_tag("includes/video_embed.html")
def video_embed(video, *, poster=None, title=""):
    """A click-to-load player for `video` (a common.video.Video)."""
    return {"video": video, "poster": poster, "title": title}
