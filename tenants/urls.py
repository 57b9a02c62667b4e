from reps_dashboard.api.routers import path_both, router

from . import views

router.register("api/settings/branches", views.BranchViewSet, basename="branch")
router.register("api/settings/users", views.UserViewSet, basename="user")
router.register("api/settings/tags", views.TagViewSet, basename="tag")
router.register("api/settings/api-keys", views.ApiKeyViewSet, basename="api-key")

urlpatterns = [
    path_both("api/auth/login", views.LoginView.as_view(), name="auth-login"),
    path_both("api/auth/refresh", views.RefreshView.as_view(), name="auth-refresh"),
    path_both("api/auth/refresh-token", views.RefreshView.as_view(), name="auth-refresh-token"),
    path_both("api/auth/logout", views.LogoutView.as_view(), name="auth-logout"),
    path_both("api/auth/me", views.MeView.as_view(), name="auth-me"),
    path_both("api/auth/change-password", views.ChangePasswordView.as_view(), name="auth-change-password"),
    path_both("api/auth/users", views.AuthUsersView.as_view(), name="auth-users"),
    path_both("api/settings/gym", views.GymSettingsView.as_view(), name="settings-gym"),
]
