//! `/api/v1/admin/…`: setting up customers (SPEC §8, admin API).

mod catalog;
mod contracts;
mod desks;
pub(crate) mod events;
mod import;
mod organizations;
mod permissions;
mod sla;
mod tenants;
mod tokens;
mod users;

use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(organizations::list, organizations::create))
        .routes(routes!(
            organizations::get,
            organizations::update,
            organizations::delete
        ))
        .routes(routes!(tenants::list, tenants::create))
        .routes(routes!(tenants::get, tenants::update, tenants::delete))
        .routes(routes!(contracts::list, contracts::create))
        .routes(routes!(
            contracts::get,
            contracts::update,
            contracts::delete
        ))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update, users::delete))
        .routes(routes!(
            permissions::list,
            permissions::grant,
            permissions::revoke
        ))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(desks::list))
        .routes(routes!(desks::add, desks::remove))
        .routes(routes!(sla::get_policies, sla::put_policies))
        .routes(routes!(sla::get_calendar, sla::put_calendar))
        .routes(routes!(sla::add_holiday))
        .routes(routes!(sla::remove_holiday))
        .routes(routes!(sla::get_settings, sla::patch_settings))
        .routes(routes!(catalog::list_types, catalog::create_type))
        .routes(routes!(
            catalog::get_type,
            catalog::update_type,
            catalog::delete_type
        ))
        .routes(routes!(catalog::list_menus, catalog::create_menu))
        .routes(routes!(
            catalog::get_menu,
            catalog::update_menu,
            catalog::delete_menu
        ))
        .routes(routes!(catalog::add_item))
        .routes(routes!(catalog::update_item, catalog::delete_item))
        .routes(routes!(events::list))
        .routes(routes!(events::export))
        .merge(
            // A file may be larger than a JSON body.
            OpenApiRouter::new()
                .routes(routes!(import::import))
                .layer(DefaultBodyLimit::max(madoguchi_app::import::FILE_MAX_BYTES)),
        )
}
