"""The cast of the demo: the accounts that act on the cases (created when a town, grid or department has none)."""

from __future__ import annotations

from gridgov.accounts import actions as account_actions
from gridgov.accounts.choices import Role
from gridgov.accounts.models import RoleGrant, User
from gridgov.cases.models import Category
from gridgov.demo.cases.plan import _CONFUSED_WITH, _DISPATCHING, _DISTRICT, _RETURNED, _Plan
from gridgov.demo.cases.problems import PATROL
from gridgov.dispatch.choices import DepartmentKind as K
from gridgov.dispatch.models import Department
from gridgov.dispatch.selectors import RouteSuggestion, suggest_route
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area

# --- The cast ---------------------------------------------------------------------------------------------------------


class _Cast:
    """Who plays each part: the demo accounts where they fit, and an account (unusable password, audited) for each
    town center, grid and department that has none.

    The existing grants are read once (one query) instead of asking the selectors per case: the loader is the
    only writer while it runs, and it records what it creates.
    """

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self._by_area: dict[tuple[str, int], User] = {}
        self._by_department: dict[int, User] = {}
        self._by_path: list[tuple[str, str, User]] = []  # (role, area path, user) for leaders and grid chiefs
        grants = (
            RoleGrant.objects.filter(user__is_active=True)
            .select_related("user", "area")
            .order_by("user__username", "pk")
        )
        for grant in grants:
            if (
                grant.role == Role.DEPARTMENT_HANDLER
                and grant.department_id is not None
                and grant.area is None
            ):
                self._by_department.setdefault(grant.department_id, grant.user)
            elif grant.area is not None:
                self._by_area.setdefault((grant.role, grant.area.pk), grant.user)
                if grant.role in (Role.LEADER, Role.GRID_CHIEF):
                    self._by_path.append((grant.role, grant.area.path, grant.user))
        self.resident = next(
            (
                grant.user
                for grant in grants
                if grant.role == Role.RESIDENT and grant.user.username == "resident"
            ),
            None,
        )
        self._routes: dict[tuple[int, int], RouteSuggestion] = {}
        self._wrong: dict[tuple[int, int], Department] = {}

    def _create(
        self,
        username: str,
        name: str,
        role: str,
        *,
        area: Area | None = None,
        department: Department | None = None,
    ) -> User:
        """An account that cannot sign in (no password) with one role grant; both writes are audited."""
        user = User.objects.filter(username=username).first()
        if user is None:
            user = account_actions.create_user(actor=self.actor, username=username, name=name)
        account_actions.grant_role(actor=self.actor, user=user, role=role, area=area, department=department)
        return user

    def dispatcher(self, center: Area) -> User:
        key = (Role.DISPATCHER, center.pk)
        if key not in self._by_area:
            self._by_area[key] = self._create(
                f"dispatcher-{center.code}", f"{center.name}指挥中心坐席", Role.DISPATCHER, area=center
            )
        return self._by_area[key]

    def grid_worker(self, grid: Area) -> User:
        key = (Role.GRID_WORKER, grid.pk)
        if key not in self._by_area:
            self._by_area[key] = self._create(
                f"gridworker-{grid.code}", f"{grid.name}网格员", Role.GRID_WORKER, area=grid
            )
        return self._by_area[key]

    def has_grid_worker(self, grid: Area) -> bool:
        return (Role.GRID_WORKER, grid.pk) in self._by_area

    def handler(self, department: Department) -> User:
        if department.pk not in self._by_department:
            self._by_department[department.pk] = self._create(
                f"handler-{department.code}", department.name, Role.DEPARTMENT_HANDLER, department=department
            )
        return self._by_department[department.pk]

    def _over(self, role: str, path: str) -> User | None:
        return next(
            (user for r, area_path, user in self._by_path if r == role and path.startswith(area_path)), None
        )

    def leader(self, town: Area) -> User | None:
        """The leader supervising the town (the demo ``leader`` for 石港镇); no account is created."""
        return self._over(Role.LEADER, town.path)

    def chief(self, village: Area) -> User | None:
        """The village's grid chief if it has one (the demo ``gridchief`` for 北渡村); none is created."""
        return self._over(Role.GRID_CHIEF, village.path)

    def route(self, category: Category, area: Area) -> RouteSuggestion:
        """The routing rule's lead and helpers. The demo region has rules per town and per district only, so a
        grid's route is its town's (one lookup per category and town)."""
        if area.level == AreaLevel.GRID and area.parent is not None and area.parent.parent is not None:
            area = area.parent.parent
        key = (category.pk, area.pk)
        if key not in self._routes:
            suggestion = suggest_route(category, area)
            if suggestion is None:  # pragma: no cover - the demo region routes every category
                raise LookupError(f"no routing rule for {category.code} in {area.name}")
            self._routes[key] = suggestion
        return self._routes[key]

    def wrong_department(self, category: Category, town: Area, lead: Department) -> Department:
        """A department a busy dispatcher might mistake for the right one (it returns the case)."""
        key = (category.pk, town.pk)
        if key not in self._wrong:
            kinds = [*_CONFUSED_WITH.get(category.code, []), K.URBAN, K.TRANSPORT]
            departments = Department.objects.filter(area=town, kind__in=kinds, is_active=True).exclude(
                pk=lead.pk
            )
            ranked = sorted(
                departments, key=lambda department: (kinds.index(department.kind), department.code)
            )
            if not ranked:  # pragma: no cover - every demo town has both
                raise LookupError(f"no other department in {town.name}")
            self._wrong[key] = ranked[0]
        return self._wrong[key]

    def prepare(self, plan: _Plan) -> None:
        """Create every account the plan's history needs now, before the clock is simulated."""
        self.dispatcher(plan.town)
        if plan.scenario in _DISTRICT:
            district = plan.town.parent
            assert district is not None  # noqa: S101 - towns hang under districts
            self.dispatcher(district)
        if plan.report.channel == PATROL or plan.in_grid:
            self.grid_worker(plan.grid)
        if plan.scenario not in _DISPATCHING:
            return
        area = plan.town.parent if plan.scenario in _DISTRICT else plan.grid
        assert area is not None  # noqa: S101
        route = self.route(plan.category, area)
        for department in [route.lead, *route.helpers]:
            self.handler(department)
        if plan.scenario in _RETURNED:
            self.handler(self.wrong_department(plan.category, plan.town, route.lead))
