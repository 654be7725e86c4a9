//! `icon(src = "...", mime_type = "...", sizes = ["48x48"], theme = light)`: an icon of a
//! tool, resource, prompt or server (MCP 2025-11-25). The key may be given once per icon.

use proc_macro2::TokenStream;
use quote::quote;
use syn::meta::ParseNestedMeta;
use syn::punctuated::Punctuated;
use syn::{Ident, LitStr, Token};

use crate::common::{key, set};

/// One icon.
pub(crate) struct Icon {
    src: LitStr,
    mime_type: Option<LitStr>,
    sizes: Vec<LitStr>,
    theme: Option<Ident>,
}

/// Parses one `icon(...)`.
pub(crate) fn parse(meta: &ParseNestedMeta) -> syn::Result<Icon> {
    let (mut src, mut mime_type, mut sizes, mut theme) = (None, None, None, None::<Ident>);
    meta.parse_nested_meta(|inner| match key(&inner).as_str() {
        "src" => set(&mut src, &inner, |m| {
            let lit: LitStr = m.value()?.parse()?;
            let value = lit.value();
            let scheme_ok = ["https://", "http://", "data:"]
                .iter()
                .any(|scheme| value.starts_with(scheme));
            if scheme_ok {
                Ok(lit)
            } else {
                Err(syn::Error::new(
                    lit.span(),
                    "an icon's `src` is an https URL (or a `data:` URI)",
                ))
            }
        }),
        "mime_type" => set(&mut mime_type, &inner, |m| m.value()?.parse()),
        "sizes" => set(&mut sizes, &inner, |m| {
            let content;
            m.value()?;
            syn::bracketed!(content in m.input);
            let list = Punctuated::<LitStr, Token![,]>::parse_terminated(&content)?;
            Ok(list.into_iter().collect::<Vec<_>>())
        }),
        "theme" => set(&mut theme, &inner, |m| {
            let ident: Ident = m.value()?.parse()?;
            if ident == "light" || ident == "dark" {
                Ok(ident)
            } else {
                Err(syn::Error::new(
                    ident.span(),
                    "unknown icon theme; expected one of: light, dark",
                ))
            }
        }),
        _ => {
            Err(inner
                .error("unknown `icon` argument; expected one of: src, mime_type, sizes, theme"))
        }
    })?;
    let Some(src) = src else {
        return Err(meta.error("an icon needs its `src`: `icon(src = \"https://...\")`"));
    };
    Ok(Icon {
        src,
        mime_type,
        sizes: sizes.unwrap_or_default(),
        theme,
    })
}

/// The runtime's `&[Icon]` for `icons`.
pub(crate) fn tokens(icons: &[Icon], p: &TokenStream) -> TokenStream {
    let icons = icons.iter().map(|icon| {
        let src = &icon.src;
        let mime_type = match &icon.mime_type {
            Some(lit) => quote!(::core::option::Option::Some(#lit)),
            None => quote!(::core::option::Option::None),
        };
        let sizes = &icon.sizes;
        let theme = match &icon.theme {
            Some(ident) => {
                let name = ident.to_string();
                quote!(::core::option::Option::Some(#name))
            }
            None => quote!(::core::option::Option::None),
        };
        quote!(#p::Icon { src: #src, mime_type: #mime_type, sizes: &[#(#sizes),*], theme: #theme })
    });
    quote!(&[#(#icons),*])
}
