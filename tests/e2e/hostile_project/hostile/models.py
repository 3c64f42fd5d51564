"""A Django app whose docstrings, help_text, choices and names try to inject markup."""

from django.db import models


class Victim(models.Model):
    """Doc <script>window.__pwned = 1; alert("doc")</script> | pipe "quote" 'single'"""

    name = models.CharField(
        max_length=50,
        help_text='"><img src=x onerror="window.__pwned=2;alert(2)">',
        verbose_name="</script><script>window.__pwned=3;alert(3)</script>",
    )
    kind = models.CharField(
        max_length=10,
        choices=[("a", "<b onmouseover=alert(4)>A</b>"), ("b", "B & \u2028 \u2029")],
        default="a",
    )

    class Meta:
        verbose_name = '"><svg onload=alert(5)>'


class Attacker(models.Model):
    """</script><img src=x onerror=alert(6)>"""

    victim = models.ForeignKey(
        Victim,
        on_delete=models.CASCADE,
        related_name="attackers",
        help_text="<iframe src=javascript:alert(7)>",
    )
    café_naïve = models.TextField(blank=True, default="{{ 7*7 }} ${alert(8)}")
