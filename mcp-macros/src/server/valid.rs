//! Checks on a server's arguments that do not need type information.

use proc_macro2::Span;
use quote::quote;

use super::attr::ServerAttr;
use crate::common::Errors;
use crate::words::OAuth;

impl ServerAttr {
    /// The server's OAuth mode, required, with the permission vocabulary it needs (or must
    /// not have), and its tools listed once each.
    pub(crate) fn validate(&self, errors: &mut Errors) {
        let oauth = self.oauth.map(|o| o.value);
        match (oauth, &self.permissions) {
            (None, _) => errors.push(syn::Error::new(
                Span::call_site(),
                format!(
                    "missing `oauth`: every server states how callers are authenticated, \
                     e.g. `oauth = none` for a server without authentication; expected one of: {}",
                    OAuth::names()
                ),
            )),
            (Some(OAuth::None), Some(permissions)) => errors.push(syn::Error::new_spanned(
                permissions,
                "`permissions` need OAuth: with `oauth = none` no caller has any",
            )),
            (Some(mode), None) if mode != OAuth::None => errors.push(syn::Error::new(
                Span::call_site(),
                "missing `permissions`: a server with OAuth declares its permission vocabulary once, with \
                 `mcp_runtime::permissions! { pub mod perms { ... } }`, and names it here: `permissions = perms`",
            )),
            _ => {}
        }
        if let (false, Some(on_denied)) = (self.with_oauth(), &self.on_denied) {
            errors.push(syn::Error::new(
                on_denied.span,
                "`on_denied` needs OAuth: with `oauth = none` no call is denied",
            ));
        }
        for (list, noun) in [
            (&self.tools, "tool"),
            (&self.resources, "resource"),
            (&self.prompts, "prompt"),
        ] {
            let list = list.as_deref().unwrap_or_default();
            let spelled: Vec<String> = list.iter().map(|path| quote!(#path).to_string()).collect();
            for (i, path) in list.iter().enumerate() {
                if spelled[..i].contains(&spelled[i]) {
                    errors.push(syn::Error::new_spanned(
                        path,
                        format!("this {noun} is already listed in this server"),
                    ));
                }
            }
        }
    }

    /// Whether callers are authenticated.
    pub(crate) fn with_oauth(&self) -> bool {
        self.oauth.is_some_and(|o| o.value != OAuth::None)
    }
}
