import streamlit as st

st.title("In aanbouw")
