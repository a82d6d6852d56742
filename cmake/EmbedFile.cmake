# fitcheck_embed_files(OUT_CPP FILE...): writes OUT_CPP defining
#   fitcheck::detail::embedded_catalog_fragments(), a list of {name, text} for each file,
# so that a bare binary carries its catalog.
function(fitcheck_embed_files out_cpp)
  set(files ${ARGN})
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cpp} -DROOT=${CMAKE_CURRENT_SOURCE_DIR} "-DFILES=${files}"
            -P ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedFileScript.cmake
    DEPENDS ${files} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedFileScript.cmake
    COMMENT "Embedding the catalog"
    VERBATIM)
endfunction()
