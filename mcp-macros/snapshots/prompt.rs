/// Summarize a text.
async fn summarize(text: String, max_words: Option<u32>) -> String {
    format!("Summarize in {} words: {text}", max_words.unwrap_or(50))
}
#[doc(hidden)]
#[allow(unused_macros)]
macro_rules! __mcp_prompt_summarize {
    (@ none) => {};
    (@ oauth[$($vocabulary:tt)*]) => {
        ::core::compile_error!("this prompt is served with OAuth but says nothing about who may use it: add `requires = \"permission\"` (or `requires_any = [...]`) to guard it, `authenticated` to let any signed-in caller use it, or `public` to let anyone use it");
    };
}
#[doc(hidden)]
#[allow(unused_imports)]
use __mcp_prompt_summarize as summarize;
///The MCP prompt `summarize`, defined by the function [`summarize()`]: name it in `#[mcp_server(prompts = [...])]` to serve it.
#[allow(non_camel_case_types)]
struct summarize {}
const _: () = {
    impl ::mcp_runtime::__private::PromptMeta for summarize {
        const NAME: &'static str = "summarize";
        const REQUIRES: ::mcp_runtime::__private::Requirement = ::mcp_runtime::__private::Requirement::Unstated;
        const ON_DENIED: ::core::option::Option<::mcp_runtime::__private::Denial> = ::core::option::Option::None;
    }
    impl<
        S: ::core::marker::Send + ::core::marker::Sync + 'static,
    > ::mcp_runtime::__private::PromptHandler<S> for summarize {
        fn descriptor() -> ::mcp_runtime::__private::PromptDescriptor {
            ::mcp_runtime::__private::PromptDescriptor {
                name: "summarize",
                title: ::core::option::Option::Some("Summarize"),
                description: ::core::option::Option::Some("Summarize a text."),
                arguments: &[
                    ::mcp_runtime::__private::PromptArgument {
                        name: "text",
                        description: ::core::option::Option::Some("The text."),
                        required: true,
                    },
                    ::mcp_runtime::__private::PromptArgument {
                        name: "maxWords",
                        description: ::core::option::Option::Some(
                            "At most this many words.",
                        ),
                        required: false,
                    },
                ],
                icons: &[],
                requires: <Self as ::mcp_runtime::__private::PromptMeta>::REQUIRES,
                on_denied: <Self as ::mcp_runtime::__private::PromptMeta>::ON_DENIED,
            }
        }
        fn get(
            __mcp_state: &S,
            __mcp_call: ::mcp_runtime::__private::PromptCall,
        ) -> ::mcp_runtime::__private::BoxFuture<
            'static,
            ::core::result::Result<
                ::mcp_runtime::GetPromptResult,
                ::mcp_runtime::__private::PromptError,
            >,
        > {
            ::std::boxed::Box::pin(async move {
                #[allow(unused_mut)]
                let (mut __mcp_args, __mcp_ctx) = __mcp_call.into_parts("summarize");
                let __mcp_arg0 = __mcp_args.take::<String>("text");
                let __mcp_arg1 = __mcp_args.take_optional::<u32>("maxWords");
                if let ::core::result::Result::Err(__mcp_err) = __mcp_args.finish() {
                    return ::core::result::Result::Err(__mcp_err);
                }
                let __mcp_out = summarize(
                        ::mcp_runtime::__private::checked(__mcp_arg0),
                        ::mcp_runtime::__private::checked(__mcp_arg1),
                    )
                    .await;
                <String as ::mcp_runtime::__private::IntoPromptResult>::into_prompt_result(
                    __mcp_out,
                )
            })
        }
        fn complete(
            __mcp_completion: ::mcp_runtime::__private::Completion,
        ) -> ::mcp_runtime::__private::BoxFuture<
            'static,
            ::mcp_runtime::__private::Completions,
        > {
            let __mcp_argument = ::std::string::ToString::to_string(
                __mcp_completion.argument(),
            );
            match __mcp_argument.as_str() {
                "text" => {
                    ::std::boxed::Box::pin(async move {
                        ::mcp_runtime::__private::IntoCompletions::into_completions(
                            complete_text(__mcp_completion).await,
                        )
                    })
                }
                _ => {
                    ::std::boxed::Box::pin(
                        ::core::future::ready(
                            <::mcp_runtime::__private::Completions as ::core::default::Default>::default(),
                        ),
                    )
                }
            }
        }
    }
};
